/**
 * Serial over Espruino's UART objects. On ESP32, Espruino's Serial1 is UART 0 (the console),
 * Serial2 UART 1 and Serial3 UART 2 (targets/esp32/jshardwareUart.c), so port 1 is Serial2 and
 * port 2 Serial3. Data arrives as 'data' events with binary strings; writes are buffered by the
 * engine, so onWritable is called once, when the port opens.
 */
import type { Serial as SerialContract, SerialOptions } from '../contract/serial.js';
import { checkOpen, checkSerialOptions, toBytes } from '../validate.js';
import { bytesToString, stringToBytes } from './engine.js';

interface EspruinoSerial {
  setup(baud: number, options: { rx: number; tx: number }): void;
  unsetup(): void;
  on(event: 'data', fn: (data: string) => void): void;
  removeAllListeners(event: 'data'): void;
  write(data: string): void;
}
declare const Serial2: EspruinoSerial;
declare const Serial3: EspruinoSerial;
declare function setTimeout(fn: () => void, ms: number): unknown;

/** Espruino's transmit buffer, as a count for onWritable. */
const TX_BUFFER = 1024;
const open: { [port: number]: boolean } = {};

export class Serial implements SerialContract {
  private readonly uart: EspruinoSerial;
  private readonly port: number;
  private received = '';
  private closed = false;

  constructor(options: SerialOptions) {
    const o = checkSerialOptions(options);
    if (open[o.port]) throw new Error(`Serial: port ${o.port} in use`);
    open[o.port] = true;
    this.port = o.port;
    this.uart = o.port === 1 ? Serial2 : Serial3;
    this.uart.setup(o.baud, { rx: o.receive, tx: o.transmit });
    const self = this;
    this.uart.on('data', (data) => {
      if (self.closed) return;
      self.received += data;
      if (o.onReadable) o.onReadable.call(self, data.length);
    });
    const onWritable = o.onWritable;
    if (onWritable) setTimeout(() => !self.closed && onWritable.call(self, TX_BUFFER), 0);
  }

  read(): Uint8Array {
    checkOpen(this.closed, 'Serial');
    const data = this.received;
    this.received = '';
    return stringToBytes(data);
  }

  write(bytes: Uint8Array | readonly number[]): void {
    checkOpen(this.closed, 'Serial');
    this.uart.write(bytesToString(toBytes(bytes, 'Serial')));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.uart.removeAllListeners('data');
    this.uart.unsetup();
    delete open[this.port];
  }
}
