/**
 * Turns the bytes a board prints into lines: UTF-8 decoded across chunk boundaries (invalid bytes become
 * U+FFFD), lines ended by \n, \r\n or a lone \r, control characters other than tab shown as \xNN.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private partial = '';
  private afterCr = false;

  /** The lines completed by `bytes`. */
  push(bytes: Uint8Array): string[] {
    const text = this.decoder.decode(bytes, { stream: true });
    const lines: string[] = [];
    for (const ch of text) {
      if (ch === '\n') {
        if (!this.afterCr) lines.push(this.take());
        this.afterCr = false;
      } else if (ch === '\r') {
        lines.push(this.take());
        this.afterCr = true;
      } else {
        this.afterCr = false;
        const code = ch.codePointAt(0)!;
        this.partial += (code < 0x20 && ch !== '\t') || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
      }
    }
    return lines;
  }

  /** What is left of an unfinished line (printed when the monitor stops). */
  rest(): string {
    return this.take() + this.decoder.decode();
  }

  private take(): string {
    const line = this.partial;
    this.partial = '';
    return line;
  }
}
