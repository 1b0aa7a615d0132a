/**
 * Storage over Espruino's Storage module: each key is the file `domain.key` (within Espruino's
 * 28-character names). Storage.write replaces a file whole, so a value is never half-written.
 */
import type { Storage as StorageContract, StorageOptions } from '../contract/storage.js';
import { checkStorageName, checkStorageValue } from '../validate.js';
import { bytesToString, espruinoModule, stringToBytes } from './engine.js';

interface EspruinoStorage {
  read(name: string): string | undefined;
  write(name: string, data: string): boolean;
  erase(name: string): void;
  list(pattern?: RegExp): string[];
}

export class Storage implements StorageContract {
  private readonly files = espruinoModule<EspruinoStorage>('Storage');
  private readonly prefix: string;

  constructor(options: StorageOptions) {
    this.prefix = `${checkStorageName('domain', options && options.domain)}.`;
  }

  get(key: string): Uint8Array | undefined {
    const data = this.files.read(this.prefix + checkStorageName('key', key));
    return data === undefined ? undefined : stringToBytes(data);
  }

  set(key: string, value: Uint8Array): void {
    const name = this.prefix + checkStorageName('key', key);
    if (!this.files.write(name, bytesToString(checkStorageValue(value)))) throw new Error(`Storage: could not write ${name}`);
  }

  delete(key: string): void {
    this.files.erase(this.prefix + checkStorageName('key', key));
  }

  keys(): string[] {
    const prefix = this.prefix;
    return this.files
      .list()
      .filter((name) => name.indexOf(prefix) === 0)
      .map((name) => name.slice(prefix.length));
  }
}
