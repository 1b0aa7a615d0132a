/**
 * The simulated ESP32's app partitions, inside XS: Moddable's `ota` and `flash` modules over two
 * 64 KiB OTA slots and otadata kept in the device's flash (`esp32:ota_0`, `esp32:ota_1`,
 * `esp32:otadata`), so they survive a run and come back in the next one, as flash does across a
 * reset. What they model (ESP-IDF's app_update and bootloader, Moddable's ota.c and flash.c):
 * - bootPartitions() is the bootloader: it boots the slot otadata names, or the other slot when
 *   that one holds no valid image (an image is valid when its first byte is ESP_IMAGE_HEADER_MAGIC
 *   0xE9; the real check also covers segment checksums and the appended SHA-256);
 * - `new OTA({ byteLength })` erases that many bytes (rounded up to 4 KiB sectors; the whole slot
 *   without one) of the slot not running; a second session while one is open fails to begin;
 * - write(ArrayBuffer) appends, as NOR flash does (bits only go from 1 to 0); a first byte other
 *   than 0xE9 or a write past the slot fails, as esp_ota_write does;
 * - complete() validates the image and points otadata at its slot; cancel() just ends;
 * - `new Flash('running' | 'nextota')`: read/write/erase within a slot; erasing or writing the
 *   running slot fails (ESP-IDF aborts on such a "dangerous" flash write); other names are
 *   not found.
 * Errors carry the messages Moddable's native code throws ("begin failed", "write failed", ...).
 */
import { currentDevice } from '../../../hal/sim/device.js';

const SLOT_BYTES = 64 * 1024;
const SECTOR = 4096;
const MAGIC = 0xe9;

let running = 0;
let session: OTA | undefined;

function slot(index: number): Uint8Array {
  const flash = currentDevice().flash;
  const name = `esp32:ota_${index}`;
  let bytes = flash[name];
  if (!bytes) {
    bytes = new Uint8Array(SLOT_BYTES).fill(0xff);
    if (index === 0) bytes.set([MAGIC, 0x66, 0x61, 0x63, 0x74, 0x6f, 0x72, 0x79]); // the factory-flashed app
    flash[name] = bytes;
  }
  return bytes;
}

function erase(bytes: Uint8Array, from: number, to: number): void {
  bytes.fill(0xff, from, Math.min(to, bytes.length));
}

/** The bootloader: picks the slot that runs, before the app starts. */
export function bootPartitions(): void {
  const otadata = currentDevice().flash['esp32:otadata'];
  const chosen = otadata ? otadata[0]! : 0;
  running = slot(chosen)[0] === MAGIC || slot(1 - chosen)[0] !== MAGIC ? chosen : 1 - chosen;
  session = undefined;
}

export class OTA {
  private readonly target = slot(1 - running);
  private at = 0;
  private open = true;

  constructor(options?: { byteLength?: number }) {
    const size = options && options.byteLength !== undefined ? Number(options.byteLength) : SLOT_BYTES;
    if (!(size >= 0 && size <= SLOT_BYTES)) throw new RangeError('invalid byteLength');
    if (session && session.open) throw new Error('begin failed');
    erase(this.target, 0, Math.ceil(size / SECTOR) * SECTOR);
    session = this;
  }

  write(buffer: ArrayBuffer): void {
    if (!(buffer instanceof ArrayBuffer)) throw new TypeError('expected ArrayBuffer');
    const bytes = new Uint8Array(buffer);
    if (!this.open || this.at + bytes.length > this.target.length) throw new Error('write failed');
    if (this.at === 0 && bytes.length > 0 && bytes[0] !== MAGIC) throw new Error('write failed');
    for (let i = 0; i < bytes.length; i++) this.target[this.at + i]! &= bytes[i]!;
    this.at += bytes.length;
  }

  cancel(): void {
    this.open = false;
  }

  complete(): void {
    if (!this.open) throw new Error('bad state');
    this.open = false;
    if (this.at === 0 || this.target[0] !== MAGIC) throw new Error('end failed');
    currentDevice().flash['esp32:otadata'] = new Uint8Array([1 - running]);
  }
}

export class Flash {
  private readonly bytes: Uint8Array;
  private readonly isRunning: boolean;

  constructor(partition: string) {
    if (partition !== 'running' && partition !== 'nextota') throw new Error("can't find partition");
    this.isRunning = partition === 'running';
    this.bytes = slot(this.isRunning ? running : 1 - running);
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  get blockSize(): number {
    return SECTOR;
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    if (!(offset >= 0 && byteLength >= 0 && offset + byteLength <= this.bytes.length)) throw new Error('read failed');
    return this.bytes.slice(offset, offset + byteLength).buffer as ArrayBuffer;
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer): void {
    const bytes = new Uint8Array(buffer, 0, byteLength);
    if (this.isRunning || !(offset >= 0 && offset + byteLength <= this.bytes.length)) throw new Error('write failed');
    for (let i = 0; i < byteLength; i++) this.bytes[offset + i]! &= bytes[i]!;
  }

  erase(sector: number): void {
    if (this.isRunning || !(sector >= 0 && (sector + 1) * SECTOR <= this.bytes.length)) throw new Error('erase failed');
    erase(this.bytes, sector * SECTOR, (sector + 1) * SECTOR);
  }
}
