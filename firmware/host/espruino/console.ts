/**
 * EspruinoConsole: the serial console of a live EspruinoDevice, as Espruino's REPL behaves on
 * the wire (what the Espruino IDE and `mote deploy` rely on):
 *
 * - characters typed are echoed; Enter runs the input once its brackets, braces and strings are
 *   closed (until then the prompt is `:`), and the answer is `=<value>`, then the prompt `>`;
 * - a line starting with DLE (0x10) is run without echo and without its `=` answer;
 * - `echo(0)` turns echo and answers off for every line (`echo(1)` back on);
 * - Ctrl-C (0x03) drops the input typed so far;
 * - what the program prints arrives as lines; `reset()` and `load()` print the banner again.
 *
 * Bytes in and out are binary strings (one character per byte). Host-side code.
 */
import type { EspruinoDevice } from './device.js';

export const BANNER = 'Espruino 2v29 (mote virtual board)';

const DLE = '\x10';
const CTRL_C = '\x03';

export class EspruinoConsole {
  private input = '';
  private silent = false;
  private echo = true;
  private device: EspruinoDevice | undefined;

  /** `write`: bytes for the serial line. */
  constructor(private readonly write: (bytes: string) => void) {}

  /** Connects the device (whose `onLine` must call `line`) and prints the banner and prompt. */
  attach(device: EspruinoDevice): void {
    this.device = device;
    this.write(`\r\n${BANNER}\r\n>`);
  }

  /** A line the program printed. */
  line(text: string): void {
    this.write(`${text}\r\n`);
  }

  /** The banner after a reset() or load(). */
  restarted(): void {
    this.write(`\r\n${BANNER}\r\n`);
  }

  /** Bytes from the serial line. */
  receive(bytes: string): void {
    for (const ch of bytes) this.key(ch);
  }

  private key(ch: string): void {
    if (ch === CTRL_C) {
      this.input = '';
      this.silent = false;
      this.write('\r\n>');
      return;
    }
    if (ch === DLE && this.input === '') {
      this.silent = true;
      return;
    }
    if (ch === '\r' || ch === '\n') {
      if (ch === '\n' && this.input === '' && !this.silent) return; // the \n of a \r\n
      if (this.showing) this.write('\r\n');
      if (!complete(this.input)) {
        this.input += '\n';
        if (this.showing) this.write(':');
        return;
      }
      this.run();
      return;
    }
    if (ch === '\x7f' || ch === '\b') {
      if (this.input.length > 0) {
        this.input = this.input.slice(0, -1);
        if (this.showing) this.write('\b \b');
      }
      return;
    }
    this.input += ch;
    if (this.showing) this.write(ch);
  }

  private get showing(): boolean {
    return this.echo && !this.silent;
  }

  private run(): void {
    const source = this.input;
    const quiet = !this.showing;
    this.input = '';
    this.silent = false;
    const echoSetting = /^\s*echo\(\s*(0|1|false|true)\s*\);?\s*$/.exec(source);
    if (echoSetting) {
      this.echo = echoSetting[1] === '1' || echoSetting[1] === 'true';
    } else if (source.trim() !== '' && this.device) {
      const answer = this.device.evaluate(source);
      if (answer !== undefined && !quiet) this.write(`${answer}\r\n`);
    }
    if (this.echo) this.write('>');
  }
}

/** Whether `source` has closed every bracket, brace, parenthesis, string and comment it opened. */
export function complete(source: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 1;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return depth <= 0 && quote === '';
}
