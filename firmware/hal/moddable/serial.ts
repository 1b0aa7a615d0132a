/** Serial over Moddable's own ECMA-419 class, `embedded:io/serial` (format 'buffer': ArrayBuffers in and out). */
import NativeSerial from 'embedded:io/serial';
import type { Serial as SerialContract, SerialOptions } from '../contract/serial.js';
import { checkOpen, checkSerialOptions, toBytes } from '../validate.js';

export class Serial implements SerialContract {
  private readonly io: NativeSerial;
  private closed = false;

  constructor(options: SerialOptions) {
    const o = checkSerialOptions(options);
    const self = this;
    const { onReadable, onWritable, onError } = o;
    this.io = new NativeSerial({
      port: o.port,
      receive: o.receive,
      transmit: o.transmit,
      baud: o.baud,
      format: 'buffer',
      onReadable: onReadable ? (count) => onReadable.call(self, count) : undefined,
      onWritable: onWritable ? (count) => onWritable.call(self, count) : undefined,
      onError: onError ? () => onError.call(self, new Error('Serial: receive error')) : undefined,
    });
  }

  read(): Uint8Array {
    checkOpen(this.closed, 'Serial');
    const bytes = this.io.read();
    return bytes ? new Uint8Array(bytes) : new Uint8Array(0);
  }

  write(bytes: Uint8Array | readonly number[]): void {
    checkOpen(this.closed, 'Serial');
    this.io.write(toBytes(bytes, 'Serial').slice().buffer);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.io.close();
  }
}
