/**
 * Digital: one GPIO pin, in the shape of ECMA-419's IO class (and Moddable's
 * `embedded:io/digital`). Every port implements this contract; apps import it as `mote/hal`.
 *
 * - `new Digital({ pin, mode, edge?, onReadable?, onError? })` validates the options object
 *   before it touches the pin (see validate.ts): a bad value throws RangeError, a wrong type
 *   TypeError, a pin another Digital holds throws Error "in use".
 * - `read()` → 0 or 1: the level on the pin (an output reads back what it drives).
 * - `write(0 | 1)`: outputs only.
 * - Inputs with `edge` (Rising, Falling or both OR-ed) call `onReadable()`, with `this` the
 *   Digital, from the engine's event loop after the level changes. That is host context, not a
 *   task: reach tasks through the kernel's ISR-safe calls (`kernel.isr(() => sem.giveFromISR())`).
 * - `close()` releases the pin and stops edge callbacks; calling anything else afterwards throws.
 */
export type DigitalMode = 0 | 1 | 2 | 3 | 8 | 9;
export type DigitalEdge = 1 | 2 | 3;

export interface DigitalOptions {
  pin: number;
  mode: DigitalMode;
  /** Input modes only; requires onReadable. */
  edge?: DigitalEdge;
  onReadable?: (this: Digital) => void;
  onError?: (this: Digital, error: Error) => void;
}

export interface Digital {
  read(): 0 | 1;
  write(value: 0 | 1): void;
  close(): void;
}

export interface DigitalClass {
  new (options: DigitalOptions): Digital;
  readonly Input: 0;
  readonly InputPullUp: 1;
  readonly InputPullDown: 2;
  readonly InputPullUpDown: 3;
  readonly Output: 8;
  readonly OutputOpenDrain: 9;
  readonly Rising: 1;
  readonly Falling: 2;
}

/** The mode and edge numbers, as ECMA-419 and Moddable define them. */
export const DigitalModes = {
  Input: 0,
  InputPullUp: 1,
  InputPullDown: 2,
  InputPullUpDown: 3,
  Output: 8,
  OutputOpenDrain: 9,
  Rising: 1,
  Falling: 2,
} as const;

/**
 * The mode and edge numbers as static members, for each port's Digital to extend, so that
 * `Digital.Output` reads as in ECMA-419 on every engine.
 */
export class DigitalConstants {
  static readonly Input = 0 as const;
  static readonly InputPullUp = 1 as const;
  static readonly InputPullDown = 2 as const;
  static readonly InputPullUpDown = 3 as const;
  static readonly Output = 8 as const;
  static readonly OutputOpenDrain = 9 as const;
  static readonly Rising = 1 as const;
  static readonly Falling = 2 as const;
}
