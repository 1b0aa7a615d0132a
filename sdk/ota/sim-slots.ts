/**
 * SimAppSlots: AppSlots in memory, for tests and the virtual board. The slot contents live in
 * this object; the state lives in the given Storage, as on a device, and `reset()` plays the
 * bootloader: a pending image boots on trial, an unconfirmed trial image is rolled back.
 */
import { rangeError } from '../../firmware/kernel/errors.js';
import type { Storage } from '../../firmware/hal/contract/storage.js';
import { utf8Decode, utf8Encode } from '../bytes.js';
import type { AppSlots, SlotState } from './slots.js';

interface Persisted {
  state: SlotState;
  /** The slot the running image is in (0 or 1). */
  running: number;
  size: number;
}

export class SimAppSlots implements AppSlots {
  /** Both slots' bytes, as flash would hold them. */
  readonly slots: Uint8Array[];

  constructor(
    private readonly storage: Storage,
    readonly capacity = 64 * 1024,
  ) {
    this.slots = [new Uint8Array(capacity), new Uint8Array(capacity)];
  }

  state(): SlotState {
    return this.load().state;
  }

  /** The slot the running image is in. */
  get running(): number {
    return this.load().running;
  }

  begin(size: number): void {
    if (!(size > 0 && size <= this.capacity && size % 1 === 0)) throw rangeError(`image size ${size} does not fit a slot of ${this.capacity} bytes`);
    const p = this.load();
    if (p.state === 'pending' || p.state === 'trial') throw new Error(`app slots: cannot begin while ${p.state}`);
    const slot = this.slots[1 - p.running]!;
    for (let i = 0; i < slot.length; i++) slot[i] = 0xff; // erased flash
    this.save({ state: 'writing', running: p.running, size });
  }

  write(offset: number, bytes: Uint8Array): void {
    const p = this.expect('writing');
    if (offset < 0 || offset + bytes.length > p.size) throw rangeError(`write of ${bytes.length} bytes at ${offset} is outside the ${p.size}-byte image`);
    this.slots[1 - p.running]!.set(bytes, offset);
  }

  read(offset: number, length: number): Uint8Array {
    const p = this.load();
    const slot = p.state === 'trial' ? p.running : 1 - p.running;
    return new Uint8Array(this.slots[slot]!.subarray(offset, offset + length));
  }

  commit(): void {
    const p = this.expect('writing');
    this.save({ state: 'pending', running: p.running, size: p.size });
  }

  confirm(): void {
    const p = this.expect('trial');
    this.save({ state: 'idle', running: p.running, size: p.size });
  }

  rollback(): void {
    const p = this.load();
    if (p.state === 'trial') this.save({ state: 'rolled-back', running: 1 - p.running, size: p.size });
    else if (p.state === 'writing' || p.state === 'pending') this.save({ state: 'idle', running: p.running, size: p.size });
  }

  /** What the bootloader does at a reset. */
  reset(): void {
    const p = this.load();
    if (p.state === 'pending') this.save({ state: 'trial', running: 1 - p.running, size: p.size });
    else if (p.state === 'trial') this.save({ state: 'rolled-back', running: 1 - p.running, size: p.size });
  }

  private expect(state: SlotState): Persisted {
    const p = this.load();
    if (p.state !== state) throw new Error(`app slots: ${state} expected, not ${p.state}`);
    return p;
  }

  private load(): Persisted {
    const bytes = this.storage.get('slots');
    return bytes ? (JSON.parse(utf8Decode(bytes)) as Persisted) : { state: 'idle', running: 0, size: 0 };
  }

  private save(p: Persisted): void {
    this.storage.set('slots', utf8Encode(JSON.stringify(p)));
  }
}
