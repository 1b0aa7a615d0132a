/**
 * I2C: a controller talking to one target address, in the shape of ECMA-419's I2C class.
 *
 * - `new I2C({ data, clock, address, hz? })`: SDA and SCL pins, the 7-bit target address,
 *   the bus speed (default 100 kHz). Validated before the bus is touched (validate.ts).
 * - `read(count)` → a new Uint8Array of `count` bytes from the target.
 * - `write(bytes, stop = true)`: sends bytes; `stop: false` keeps the bus for a repeated start
 *   (register pointer, then read).
 * - A target that does not acknowledge throws Error "I2C: no acknowledge from 0x48".
 */
export interface I2COptions {
  data: number;
  clock: number;
  address: number;
  hz?: number;
}

export interface I2C {
  read(count: number): Uint8Array;
  write(bytes: Uint8Array | readonly number[], stop?: boolean): void;
  close(): void;
}

export interface I2CClass {
  new (options: I2COptions): I2C;
}
