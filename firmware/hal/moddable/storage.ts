/**
 * Storage over Moddable's `preference` module (NVS on ESP32): the domain is the preference
 * domain, values are stored as ArrayBuffers. Preference.set replaces a value whole.
 */
import Preference from 'preference';
import type { Storage as StorageContract, StorageOptions } from '../contract/storage.js';
import { checkStorageName, checkStorageValue } from '../validate.js';

export class Storage implements StorageContract {
  private readonly domain: string;

  constructor(options: StorageOptions) {
    this.domain = checkStorageName('domain', options && options.domain);
  }

  get(key: string): Uint8Array | undefined {
    const value = Preference.get(this.domain, checkStorageName('key', key));
    return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
  }

  set(key: string, value: Uint8Array): void {
    const bytes = checkStorageValue(value);
    Preference.set(this.domain, checkStorageName('key', key), bytes.slice().buffer);
  }

  delete(key: string): void {
    Preference.delete(this.domain, checkStorageName('key', key));
  }

  keys(): string[] {
    return Preference.keys(this.domain);
  }
}
