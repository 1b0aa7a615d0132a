/**
 * AppSlots on Moddable (ESP32): ESP-IDF's two OTA partitions, through Moddable's `ota` module
 * (esp_ota_begin/write/end and esp_ota_set_boot_partition) and `flash` module (the partitions
 * 'nextota' and 'running', to read an image back). The state is in the port's Storage (a
 * `preference`, domain 'mote', key 'slots'): JSON `{ state, size, mark }`, where `mark` is the new image's first bytes in hex
 * (the ESP32 image header and ESP-IDF's app description, which holds the build's ELF SHA-256),
 * by which a later boot tells whether the new image is the one running.
 *
 * - `write` takes blocks in any order, but esp_ota_write only appends: a block past the bytes
 *   written so far waits in RAM (at most MAX_HELD bytes) until the gap before it is filled.
 * - The first AppSlots made in a boot plays the boot step: 'pending' becomes 'trial' if the new
 *   image runs, 'rolled-back' if the bootloader booted the previous one (it falls back when the
 *   chosen image does not verify); 'writing' becomes 'idle' (the OTA session died with the reset).
 *
 * What Moddable does not expose (its `ota` module has no more than the four calls above):
 * esp_ota_mark_app_valid_cancel_rollback, esp_ota_mark_app_invalid_rollback_and_reboot,
 * esp_ota_get_state_partition, and esp_ota_set_boot_partition for any partition but the one just
 * written. So:
 * - a running image cannot be given up: `rollback()` in 'trial' throws, and a reset in 'trial'
 *   leaves it 'trial' (the new image still boots);
 * - the firmware must be built without CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE (Moddable's
 *   default): with it, nothing would mark a confirmed image valid, and the bootloader would
 *   revert every update at its second boot.
 * `rollback()` while 'pending' erases the new image's first sector, so that the bootloader, which
 * tries the other slot when the chosen one does not verify, boots the running image again.
 */
import Flash from 'flash';
import OTA from 'ota';
import { rangeError } from '../../kernel/errors.js';
import type { AppSlots as AppSlotsContract, AppSlotsOptions, SlotState } from '../contract/app-slots.js';
import { Storage } from './storage.js';

interface Persisted {
  state: SlotState;
  size: number;
  mark: string;
}

/** Bytes of the image compared to tell it apart: the 24-byte image header, a segment header, esp_app_desc_t (256). */
export const MARK_BYTES = 288;
/** Out-of-order blocks held in RAM at most (twice the downloader's default window of 16 blocks of 1 KiB). */
export const MAX_HELD = 32 * 1024;
const ROLLBACK_MISSING =
  'app slots: a running image cannot be rolled back on Moddable (its ota module exposes neither esp_ota_mark_app_invalid_rollback_and_reboot nor esp_ota_set_boot_partition for the previous slot)';

/** Once per boot: module state lives as long as the boot does. */
let booted = false;

const hex = (buffer: ArrayBuffer) => {
  const bytes = new Uint8Array(buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return text;
};

export class AppSlots implements AppSlotsContract {
  readonly capacity: number;
  private session: OTA | undefined;
  private written = 0;
  private held: { [offset: number]: Uint8Array } = {};
  private heldBytes = 0;
  private readonly store = new Storage({ domain: 'mote' });

  constructor(options: AppSlotsOptions = {}) {
    const partition = new Flash('nextota').byteLength;
    this.capacity = options.capacity ? Math.min(options.capacity, partition) : partition;
    if (!booted) {
      booted = true;
      this.boot();
    }
  }

  state(): SlotState {
    return this.load().state;
  }

  begin(size: number): void {
    if (!(size > 0 && size <= this.capacity && size % 1 === 0)) throw rangeError(`image size ${size} does not fit a slot of ${this.capacity} bytes`);
    const p = this.load();
    if (p.state === 'pending' || p.state === 'trial') throw new Error(`app slots: cannot begin while ${p.state}`);
    this.end();
    this.session = new OTA({ byteLength: size });
    this.save({ state: 'writing', size, mark: '' });
  }

  write(offset: number, bytes: Uint8Array): void {
    const p = this.expect('writing');
    if (!this.session) throw new Error('app slots: the image being written was begun before the last reset; begin again');
    if (offset < 0 || offset % 1 !== 0 || offset + bytes.length > p.size) throw rangeError(`write of ${bytes.length} bytes at ${offset} is outside the ${p.size}-byte image`);
    if (offset < this.written || this.held[offset]) throw new Error(`app slots: the block at ${offset} is already written`);
    if (offset > this.written) {
      if (this.heldBytes + bytes.length > MAX_HELD) throw new Error(`app slots: more than ${MAX_HELD} bytes wait for the block at ${this.written}`);
      this.held[offset] = bytes.slice();
      this.heldBytes += bytes.length;
      return;
    }
    this.append(bytes);
    let next: Uint8Array | undefined;
    while ((next = this.held[this.written])) {
      delete this.held[this.written];
      this.heldBytes -= next.length;
      this.append(next);
    }
  }

  read(offset: number, length: number): Uint8Array {
    const flash = new Flash(this.load().state === 'trial' ? 'running' : 'nextota');
    const end = Math.min(offset + length, flash.byteLength);
    return end > offset ? new Uint8Array(flash.read(offset, end - offset)) : new Uint8Array(0);
  }

  /** Ends the session (esp_ota_end validates the image) and makes the new slot the one that boots. */
  commit(): void {
    const p = this.expect('writing');
    const session = this.session;
    if (!session) throw new Error('app slots: the image being written was begun before the last reset; begin again');
    if (this.written !== p.size) throw new Error(`app slots: ${p.size - this.written} bytes of the image are missing`);
    this.session = undefined;
    try {
      session.complete();
    } catch (error) {
      this.save({ state: 'idle', size: p.size, mark: '' });
      throw new Error(`app slots: the image was refused (${(error as Error).message})`);
    }
    this.save({ state: 'pending', size: p.size, mark: this.mark('nextota', p.size) });
  }

  confirm(): void {
    const p = this.expect('trial');
    this.save({ state: 'idle', size: p.size, mark: p.mark });
  }

  rollback(): void {
    const p = this.load();
    if (p.state === 'trial') throw new Error(ROLLBACK_MISSING);
    if (p.state === 'writing') this.end();
    else if (p.state === 'pending') new Flash('nextota').erase(0);
    else return;
    this.save({ state: 'idle', size: p.size, mark: '' });
  }

  /** What the boot changed (see the file's comment). */
  private boot(): void {
    const p = this.load();
    if (p.state === 'writing') this.save({ state: 'idle', size: p.size, mark: '' });
    else if (p.state === 'pending' || p.state === 'trial') {
      const runs = this.mark('running', p.size) === p.mark;
      this.save({ state: runs ? 'trial' : 'rolled-back', size: p.size, mark: p.mark });
    }
  }

  private append(bytes: Uint8Array): void {
    this.session!.write(bytes.slice().buffer as ArrayBuffer);
    this.written += bytes.length;
  }

  private end(): void {
    if (this.session) this.session.cancel();
    this.session = undefined;
    this.written = 0;
    this.held = {};
    this.heldBytes = 0;
  }

  private mark(partition: string, size: number): string {
    return hex(new Flash(partition).read(0, Math.min(size, MARK_BYTES)));
  }

  private expect(state: SlotState): Persisted {
    const p = this.load();
    if (p.state !== state) throw new Error(`app slots: ${state} expected, not ${p.state}`);
    return p;
  }

  private load(): Persisted {
    const bytes = this.store.get('slots');
    try {
      if (bytes) return JSON.parse(String.fromCharCode.apply(null, Array.from(bytes))) as Persisted;
    } catch (_) {
      // unreadable: as if none
    }
    return { state: 'idle', size: 0, mark: '' };
  }

  /** The JSON is ASCII: one byte per character. */
  private save(p: Persisted): void {
    const text = JSON.stringify(p);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    this.store.set('slots', bytes);
  }
}
