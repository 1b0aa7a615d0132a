/**
 * The flash behind require('Storage') on the Espruino-dialect host: files by name, each a binary
 * string (one character per byte, as Espruino's strings are), with Espruino's write rules
 * (src/jswrap_storage.c): `write(name, data)` replaces the file; `write(name, data, 0, size)`
 * creates a file of `size` bytes whose unwritten bytes read as 0xFF (erased flash); a later
 * `write(name, data, offset)` with offset > 0 fills in part of an existing file and may not run
 * past its end. The capacity is synthetic (STORAGE_BYTES), with Espruino's 32-byte header per
 * file counted. Host-side code; the guest side of the module is in prelude.ts.
 */

/** Total Storage size reported by getStats/getFree (synthetic; a typical ESP32 Storage area). */
export const STORAGE_BYTES = 0x100000;
/** Bytes of flash a file header takes (JsfFileHeader: size and 28-byte name). */
const HEADER_BYTES = 32;
const ERASED = '\xff';

export interface StorageStats {
  totalBytes: number;
  freeBytes: number;
  fileBytes: number;
  fileCount: number;
  trashBytes: number;
  trashCount: number;
}

export class HostStorage {
  private readonly files = new Map<string, string>();

  /** Starts with a copy of `initial` (name -> contents). */
  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [name, data] of Object.entries(initial)) {
      if (typeof data !== 'string') throw new TypeError(`storage['${name}'] must be a string (one character per byte)`);
      this.files.set(name, data);
    }
  }

  read(name: string): string | undefined {
    return this.files.get(name);
  }

  /** Writes as Storage.write does; returns '' on success, else the message of the error to throw. */
  write(name: string, data: string, offset?: number, size?: number): string {
    if (name === '') return 'Invalid filename';
    const at = offset === undefined || !Number.isFinite(offset) ? 0 : Math.floor(offset);
    if (at <= 0) {
      const total = Math.max(size === undefined || !Number.isFinite(size) ? 0 : Math.floor(size), data.length);
      const freeAfterErase = this.stats().freeBytes + (this.files.has(name) ? this.used(name) : 0);
      if (total + HEADER_BYTES > freeAfterErase) return `Not enough free space in Storage to write '${name}' (${total} bytes)`;
      this.files.set(name, data + ERASED.repeat(total - data.length));
      return '';
    }
    const existing = this.files.get(name);
    if (existing === undefined) return `Can't write '${name}' at offset ${at}: the file does not exist`;
    if (at + data.length > existing.length) return `Can't write ${data.length} bytes at offset ${at}: '${name}' is ${existing.length} bytes`;
    this.files.set(name, existing.slice(0, at) + data + existing.slice(at + data.length));
    return '';
  }

  erase(name: string): void {
    this.files.delete(name);
  }

  eraseAll(): void {
    this.files.clear();
  }

  list(): string[] {
    return [...this.files.keys()];
  }

  stats(): StorageStats {
    let fileBytes = 0;
    for (const name of this.files.keys()) fileBytes += this.used(name);
    return {
      totalBytes: STORAGE_BYTES,
      freeBytes: Math.max(0, STORAGE_BYTES - fileBytes),
      fileBytes,
      fileCount: this.files.size,
      trashBytes: 0,
      trashCount: 0,
    };
  }

  /** The files now, as a plain record (name -> contents). */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.files);
  }

  private used(name: string): number {
    return HEADER_BYTES + (this.files.get(name)?.length ?? 0);
  }
}
