/** Serial on a UART of the current sim device's VirtualBoard. */
import type { Serial, SerialOptions } from '../contract/serial.js';
import { checkOpen, checkSerialOptions, toBytes } from '../validate.js';
import { currentDevice } from './device.js';

/** The room a UART's transmit buffer reports (ESP-IDF's default driver buffer). */
const TX_BUFFER = 1024;

export class SimSerial implements Serial {
  private readonly board = currentDevice().board;
  private readonly port: number;
  private received: number[] = [];
  private closed = false;

  constructor(options: SerialOptions) {
    const o = checkSerialOptions(options);
    this.port = o.port;
    const self = this;
    this.board.uart.open(o.port, (bytes) => {
      for (let i = 0; i < bytes.length; i++) self.received.push(bytes[i]!);
      if (o.onReadable) o.onReadable.call(self, bytes.length);
    });
    const onWritable = o.onWritable;
    if (onWritable) this.board.later(() => !self.closed && onWritable.call(self, TX_BUFFER), 0);
  }

  read(): Uint8Array {
    checkOpen(this.closed, 'Serial');
    const bytes = new Uint8Array(this.received);
    this.received = [];
    return bytes;
  }

  write(bytes: Uint8Array | readonly number[]): void {
    checkOpen(this.closed, 'Serial');
    const data = toBytes(bytes, 'Serial');
    const list: number[] = [];
    for (let i = 0; i < data.length; i++) list.push(data[i]!);
    this.board.uart.write(this.port, list);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.board.uart.close(this.port);
  }
}
