/** I2C on the VirtualBoard of the current sim device. */
import type { I2C, I2COptions } from '../contract/i2c.js';
import { checkCount, checkI2COptions, checkOpen, toBytes } from '../validate.js';
import { currentDevice } from './device.js';

export class SimI2C implements I2C {
  private readonly board = currentDevice().board;
  private readonly address: number;
  private closed = false;

  constructor(options: I2COptions) {
    this.address = checkI2COptions(options).address;
  }

  read(count: number): Uint8Array {
    checkOpen(this.closed, 'I2C');
    return this.target().read(checkCount(count));
  }

  write(bytes: Uint8Array | readonly number[], _stop = true): void {
    checkOpen(this.closed, 'I2C');
    this.target().write(toBytes(bytes));
  }

  close(): void {
    this.closed = true;
  }

  private target() {
    const t = this.board.target(this.address);
    if (!t) throw new Error(`I2C: no acknowledge from 0x${this.address.toString(16)}`);
    return t;
  }
}
