/** A zlib inflater fed block by block, as the ROM decompresses FLASH_DEFL_DATA: each push returns the bytes it produced. */
import zlib from 'node:zlib';

export class BlockInflater {
  private readonly stream = zlib.createInflate();
  private output: Buffer[] = [];
  private failure: Error | undefined;
  /** Resolves the push in progress early when the stream fails (a failed stream never calls back a flush). */
  private settle: (() => void) | undefined;

  constructor() {
    this.stream.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.stream.on('error', (error) => {
      this.failure = error;
      this.settle?.();
    });
  }

  /** Feeds one block; resolves with the decompressed bytes, or rejects on a corrupt stream. */
  async push(block: Uint8Array): Promise<Buffer> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve) => {
      this.settle = resolve;
      this.stream.write(block);
      this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve());
    });
    this.settle = undefined;
    // An 'error' may follow the flush by a tick.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure) throw this.failure;
    const out = Buffer.concat(this.output);
    this.output = [];
    return out;
  }

  close(): void {
    this.stream.destroy();
  }
}
