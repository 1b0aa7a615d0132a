/**
 * VirtualBoard: the pins and I2C targets of a simulated ESP32, and what happens to them over
 * time. Engine-neutral (no Node APIs): the sim port uses it on Node, the XS device host runs it
 * inside XS, and the Espruino-dialect host binds Espruino's pin functions to it.
 *
 * A board is described by a BoardSpec, plain data so it crosses into any engine:
 * - `stimuli`: levels driven onto input pins at given times (a button: level 0 at 1200 ms,
 *   back to 1 at 1300 ms). Whoever drives time applies them with `drive()` (see VirtualTime).
 * - `i2c`: targets on the bus (a TMP102 temperature sensor and its readings over time).
 * - `uart`: bytes arriving on a UART at given times (uart.ts); what the device sends is kept in
 *   `uart.sent`.
 * - `wifi`: the access points in range, with their passwords and outages (radio.ts).
 *
 * Levels: an output reads what it drives; an input reads what is driven onto it from outside,
 * else its pull (up 1, down 0, none 0). Output level changes are recorded in `changes`, with the
 * board time, so tests can check a blink's timing.
 */
import { type AccessPointSpec, VirtualRadio } from './radio.js';
import { type UartSpec, VirtualUarts } from './uart.js';

export interface Stimulus {
  at: number;
  pin: number;
  level: 0 | 1;
}

export interface Tmp102Spec {
  kind: 'tmp102';
  address: number;
  /** The temperature from each time on (ms, °C), in time order. */
  celsius: { at: number; value: number }[];
}

export interface BoardSpec {
  stimuli?: Stimulus[];
  i2c?: Tmp102Spec[];
  uart?: UartSpec[];
  wifi?: AccessPointSpec[];
}

export interface PinChange {
  at: number;
  pin: number;
  level: 0 | 1;
}

export type { AccessPointSpec } from './radio.js';
export type { UartChunk, UartSpec } from './uart.js';

export type PinDirection = 'input' | 'output' | 'open-drain';
export type Pull = 'up' | 'down' | 'none';

/** An I2C target as the bus sees it. */
export interface I2CTarget {
  write(bytes: Uint8Array): void;
  read(count: number): Uint8Array;
}

interface Pin {
  direction: PinDirection;
  pull: Pull;
  driven: 0 | 1;
  external: 0 | 1 | undefined;
}

interface Watch {
  pin: number;
  /** Bit 0: rising, bit 1: falling (ECMA-419's Rising = 1, Falling = 2). */
  edges: number;
  callback: (level: 0 | 1) => void;
}

export class VirtualBoard {
  /** Output level changes, in order. */
  readonly changes: PinChange[] = [];
  /** The board's clock (ms); set by whoever drives time, with `later`. */
  now: () => number = () => 0;
  /** Runs `fn` after `ms` of board time. */
  later: (fn: () => void, ms: number) => void = () => {
    throw new Error('VirtualBoard: no clock to schedule on');
  };
  /** The far ends of the UARTs. */
  readonly uart = new VirtualUarts(() => this.now());
  /** The access points and the station joining them. */
  readonly radio: VirtualRadio;
  private readonly pins: { [pin: number]: Pin } = {};
  private readonly owners: { [pin: number]: boolean } = {};
  private readonly external: { [pin: number]: 0 | 1 } = {};
  private readonly watches: { [id: number]: Watch } = {};
  private nextWatch = 1;
  private readonly targets: { [address: number]: I2CTarget } = {};

  constructor(readonly spec: BoardSpec = {}) {
    const sensors = spec.i2c || [];
    for (let i = 0; i < sensors.length; i++) this.targets[sensors[i]!.address] = new Tmp102(sensors[i]!, () => this.now());
    this.radio = new VirtualRadio(spec.wifi || [], () => this.now(), (fn, ms) => this.later(fn, ms));
  }

  /** Schedules the spec's timed events (stimuli, UART bytes, access point outages); call once `now` and `later` are set. */
  start(): void {
    for (const s of this.spec.stimuli || []) this.later(() => this.drive(s.pin, s.level), s.at - this.now());
    for (const u of this.spec.uart || []) this.later(() => this.uart.inject(u.port, u.data), u.at - this.now());
    this.radio.start();
  }

  /** Takes a pin for one user; a second claim throws "in use", as a taken pin does on a device. */
  claim(pin: number, what: string): void {
    if (this.owners[pin]) throw new Error(`${what}: pin ${pin} in use`);
    this.owners[pin] = true;
  }

  release(pin: number): void {
    delete this.owners[pin];
    delete this.pins[pin];
  }

  configure(pin: number, direction: PinDirection, pull: Pull): void {
    const before = this.pins[pin] ? this.read(pin) : undefined;
    this.pins[pin] = { direction, pull, driven: 0, external: this.external[pin] };
    if (before !== undefined) this.edge(pin, before);
  }

  /** The level on a pin. An unconfigured pin floats: it reads what is driven onto it, else 0. */
  read(pin: number): 0 | 1 {
    const p = this.pins[pin];
    const outside = this.external[pin];
    if (!p) return outside === undefined ? 0 : outside;
    if (p.direction === 'output') return p.driven;
    if (p.direction === 'open-drain') return p.driven === 0 ? 0 : outside === undefined ? (p.pull === 'up' ? 1 : 0) : outside;
    if (outside !== undefined) return outside;
    return p.pull === 'up' ? 1 : 0;
  }

  /** The pin drives `level` (outputs and open-drain pins). */
  write(pin: number, level: 0 | 1): void {
    const p = this.pins[pin];
    if (!p || p.direction === 'input') throw new Error(`pin ${pin} is not an output`);
    const before = this.read(pin);
    p.driven = level;
    const after = this.read(pin);
    if (after !== before) this.changes.push({ at: this.now(), pin, level: after });
  }

  /** Something outside the chip drives `level` onto the pin (a button, a wire), or lets go (undefined). */
  drive(pin: number, level: 0 | 1 | undefined): void {
    const before = this.read(pin);
    if (level === undefined) delete this.external[pin];
    else this.external[pin] = level;
    this.edge(pin, before);
  }

  /** Calls `callback(level)` on each change of the pin's level matching `edges`; returns an id for unwatch. */
  watch(pin: number, edges: number, callback: (level: 0 | 1) => void): number {
    const id = this.nextWatch++;
    this.watches[id] = { pin, edges, callback };
    return id;
  }

  unwatch(id: number): void {
    delete this.watches[id];
  }

  /** The I2C target answering `address`, if any. */
  target(address: number): I2CTarget | undefined {
    return this.targets[address];
  }

  private edge(pin: number, before: 0 | 1): void {
    const after = this.read(pin);
    if (after === before) return;
    const bit = after === 1 ? 1 : 2;
    for (const id in this.watches) {
      const w = this.watches[id];
      if (w && w.pin === pin && (w.edges & bit) !== 0) w.callback(after);
    }
  }
}

/**
 * A TI TMP102: a register pointer set by the first byte written; register 0 is the temperature,
 * read as two bytes, 12 bits left-aligned, 0.0625 °C per bit, two's complement.
 */
export class Tmp102 implements I2CTarget {
  private pointer = 0;
  private config = [0x60, 0xa0];

  constructor(
    private readonly spec: Tmp102Spec,
    private readonly now: () => number,
  ) {}

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0]! & 3;
    if (this.pointer === 1 && bytes.length >= 3) this.config = [bytes[1]!, bytes[2]!];
  }

  read(count: number): Uint8Array {
    let word: number[];
    if (this.pointer === 0) {
      const raw = Math.round(this.celsius() / 0.0625) & 0xfff;
      word = [raw >> 4, (raw & 0xf) << 4];
    } else if (this.pointer === 1) {
      word = this.config;
    } else {
      word = [0, 0];
    }
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = word[i % 2]!;
    return out;
  }

  private celsius(): number {
    const now = this.now();
    let value = 0;
    const points = this.spec.celsius;
    for (let i = 0; i < points.length && points[i]!.at <= now; i++) value = points[i]!.value;
    return value;
  }
}
