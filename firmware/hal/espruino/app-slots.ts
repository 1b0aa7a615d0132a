/**
 * AppSlots on Espruino. Espruino runs the Storage file `.bootcde` at boot, so the app is kept in
 * Storage and a small boot loader picks which copy runs:
 *
 * - `mote.app0`, `mote.app1`: the two slots. Byte 0 of each file is a marker and the image starts
 *   at byte 1, because Storage.write at offset 0 makes a new file: with the image at 1, blocks can
 *   land in any order after `begin` created the file (erased bytes read as 0xFF).
 * - `mote.slots`: the state, JSON `{ state, running, size }` (running: the slot that boots).
 * - `.bootcde`: LOADER, installed by the first `begin()`, which first copies the app that was in
 *   `.bootcde` into the running slot. At each boot the loader moves 'pending' to 'trial' (the new
 *   slot runs) and 'trial' to 'rolled-back' (the new image reset before it confirmed: the previous
 *   slot runs), then evaluates the running slot's image with `eval` at the top level, which is
 *   what Espruino itself does with `.bootcde` (a Storage string is memory-mapped: no RAM copy).
 *
 * While `.bootcde` is not the loader (never updated, or an app flashed over it by USB since), the
 * slots are 'idle' whatever `mote.slots` says: what runs is `.bootcde` itself.
 */
import { rangeError } from '../../kernel/errors.js';
import type { AppSlots as AppSlotsContract, AppSlotsOptions, SlotState } from '../contract/app-slots.js';
import { bytesToString, espruinoModule, stringToBytes } from './engine.js';

interface EspruinoStorage {
  read(name: string, offset?: number, length?: number): string | undefined;
  readJSON(name: string, noExceptions: boolean): unknown;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  writeJSON(name: string, data: unknown): boolean;
  erase(name: string): void;
}

interface Persisted {
  state: SlotState;
  /** The slot that boots (0 or 1). */
  running: number;
  size: number;
}

const STATE = 'mote.slots';
const BOOT = '.bootcde';
const MARKER = '#';
const slotFile = (slot: number) => `mote.app${slot}`;

/** The boot loader, ES5 that Espruino runs as `.bootcde` (it must not change: `load()` compares it). */
export const LOADER =
  'eval(function(S){' +
  `var s=S.readJSON("${STATE}",1)||{state:"idle",running:0,size:0};` +
  'if(s.state=="pending"||s.state=="trial"){s.state=s.state=="pending"?"trial":"rolled-back";s.running=1-s.running;' +
  `S.writeJSON("${STATE}",s)}` +
  `return S.read("mote.app"+s.running,1)||S.read("mote.app"+(1-s.running),1)` +
  '}(require("Storage")));\n';

export class AppSlots implements AppSlotsContract {
  readonly capacity: number;
  private readonly files = espruinoModule<EspruinoStorage>('Storage');

  constructor(options: AppSlotsOptions = {}) {
    this.capacity = options.capacity || 64 * 1024;
  }

  state(): SlotState {
    return this.load().state;
  }

  begin(size: number): void {
    if (!(size > 0 && size <= this.capacity && size % 1 === 0)) throw rangeError(`image size ${size} does not fit a slot of ${this.capacity} bytes`);
    const p = this.load();
    if (p.state === 'pending' || p.state === 'trial') throw new Error(`app slots: cannot begin while ${p.state}`);
    if (this.files.read(BOOT) !== LOADER) this.install(p.running);
    const name = slotFile(1 - p.running);
    this.files.erase(name);
    this.put(name, MARKER, 0, size + 1, `no room in Storage for a ${size}-byte image`);
    this.save({ state: 'writing', running: p.running, size });
  }

  write(offset: number, bytes: Uint8Array): void {
    const p = this.expect('writing');
    if (offset < 0 || offset % 1 !== 0 || offset + bytes.length > p.size) throw rangeError(`write of ${bytes.length} bytes at ${offset} is outside the ${p.size}-byte image`);
    if (bytes.length > 0) this.put(slotFile(1 - p.running), bytesToString(bytes), offset + 1, undefined, 'could not write the image');
  }

  read(offset: number, length: number): Uint8Array {
    const p = this.load();
    if (!(length > 0)) return new Uint8Array(0);
    const data = this.files.read(slotFile(p.state === 'trial' ? p.running : 1 - p.running), offset + 1, length);
    return data === undefined ? new Uint8Array(0) : stringToBytes(data);
  }

  commit(): void {
    const p = this.expect('writing');
    this.save({ state: 'pending', running: p.running, size: p.size });
  }

  confirm(): void {
    const p = this.expect('trial');
    this.save({ state: 'idle', running: p.running, size: p.size });
  }

  /** In 'trial', the previous slot boots at the next reset; while 'writing' or 'pending', the new image is erased. */
  rollback(): void {
    const p = this.load();
    if (p.state === 'trial') this.save({ state: 'rolled-back', running: 1 - p.running, size: p.size });
    else if (p.state === 'writing' || p.state === 'pending') {
      this.save({ state: 'idle', running: p.running, size: p.size });
      this.files.erase(slotFile(1 - p.running));
    }
  }

  /** Keeps the app now in `.bootcde` as the running slot, then puts the loader in its place. */
  private install(running: number): void {
    const app = this.files.read(BOOT);
    if (app === undefined) throw new Error('app slots: no .bootcde to keep as the running image');
    const name = slotFile(running);
    this.put(name, MARKER, 0, app.length + 1, `no room in Storage to keep the running ${app.length}-byte app`);
    this.put(name, app, 1, undefined, 'could not keep the running app');
    this.save({ state: 'idle', running, size: app.length });
    this.put(BOOT, LOADER, undefined, undefined, 'could not install the boot loader');
  }

  private put(name: string, data: string, offset: number | undefined, size: number | undefined, why: string): void {
    let ok: boolean;
    try {
      ok = this.files.write(name, data, offset, size);
    } catch (error) {
      throw new Error(`app slots: ${why} (${(error as Error).message})`);
    }
    if (!ok) throw new Error(`app slots: ${why}`);
  }

  private expect(state: SlotState): Persisted {
    const p = this.load();
    if (p.state !== state) throw new Error(`app slots: ${state} expected, not ${p.state}`);
    return p;
  }

  private load(): Persisted {
    const saved = this.files.readJSON(STATE, true) as Persisted | undefined;
    const running = saved && (saved.running === 0 || saved.running === 1) ? saved.running : 0;
    if (!saved || this.files.read(BOOT) !== LOADER) return { state: 'idle', running, size: 0 };
    return { state: saved.state, running, size: saved.size };
  }

  private save(p: Persisted): void {
    if (!this.files.writeJSON(STATE, p)) throw new Error(`app slots: could not write ${STATE}`);
  }
}
