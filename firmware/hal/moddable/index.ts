/**
 * The Moddable port: Moddable implements ECMA-419 natively (`embedded:io/digital`,
 * `embedded:io/i2c`, `embedded:io/serial`), so the port adds only mote's option checks (the same errors on every
 * engine), its read/write forms, and the engine's timer (`timer`, `time`) and console (`trace`).
 */
import NativeDigital from 'embedded:io/digital';
import NativeI2C from 'embedded:io/i2c';
import Time from 'time';
import Timer from 'timer';
import type { EngineTimer } from '../../kernel/clock.js';
import { DigitalConstants, type Digital as DigitalContract, type DigitalOptions } from '../contract/digital.js';
import type { I2C as I2CContract, I2COptions } from '../contract/i2c.js';
import { checkCount, checkDigitalOptions, checkI2COptions, checkOpen, toBytes } from '../validate.js';

export { AppSlots } from './app-slots.js';
export { Serial } from './serial.js';
export { Storage } from './storage.js';
export { clock, resetReason, restart } from './system.js';
export { TCP } from './tcp.js';
export { WiFi } from './wifi.js';

declare function trace(text: string): void;

export class Digital extends DigitalConstants implements DigitalContract {
  private readonly io: NativeDigital;

  constructor(options: DigitalOptions) {
    super();
    const o = checkDigitalOptions(options);
    const self = this;
    const onReadable = o.onReadable;
    this.io = new NativeDigital({
      pin: o.pin,
      mode: o.mode,
      edge: o.edge,
      onReadable: onReadable ? () => onReadable.call(self) : undefined,
    });
  }

  read(): 0 | 1 {
    return this.io.read() ? 1 : 0;
  }

  write(value: 0 | 1): void {
    this.io.write(value ? 1 : 0);
  }

  close(): void {
    this.io.close();
  }
}

export class I2C implements I2CContract {
  private readonly io: NativeI2C;
  private closed = false;

  constructor(options: I2COptions) {
    const o = checkI2COptions(options);
    this.io = new NativeI2C({ data: o.data, clock: o.clock, hz: o.hz, address: o.address });
  }

  read(count: number): Uint8Array {
    checkOpen(this.closed, 'I2C');
    return new Uint8Array(this.io.read(checkCount(count)));
  }

  write(bytes: Uint8Array | readonly number[], stop = true): void {
    checkOpen(this.closed, 'I2C');
    this.io.write(toBytes(bytes), stop);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.io.close();
  }
}

export const engineTimer: EngineTimer = {
  setTimeout: (fn, ms) => Timer.set(fn, ms),
  clearTimeout: (handle) => Timer.clear(handle),
  now: () => Time.ticks,
};

export function log(line: string): void {
  trace(`${line}\n`);
}
