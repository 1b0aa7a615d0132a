/** Storage in the current sim device's flash (kept across a simulated reset: createDevice(spec, flash)). */
import type { Storage, StorageOptions } from '../contract/storage.js';
import { checkStorageName, checkStorageValue } from '../validate.js';
import { currentDevice } from './device.js';

export class SimStorage implements Storage {
  private readonly flash = currentDevice().flash;
  private readonly prefix: string;

  constructor(options: StorageOptions) {
    this.prefix = `${checkStorageName('domain', options && options.domain)}.`;
  }

  get(key: string): Uint8Array | undefined {
    const value = this.flash[this.prefix + checkStorageName('key', key)];
    return value ? value.slice() : undefined;
  }

  set(key: string, value: Uint8Array): void {
    this.flash[this.prefix + checkStorageName('key', key)] = checkStorageValue(value).slice();
  }

  delete(key: string): void {
    delete this.flash[this.prefix + checkStorageName('key', key)];
  }

  keys(): string[] {
    return Object.keys(this.flash)
      .filter((name) => name.indexOf(this.prefix) === 0)
      .map((name) => name.slice(this.prefix.length));
  }
}
