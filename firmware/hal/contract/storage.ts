/**
 * Storage: a key-value store in flash that survives a reset, in the spirit of Moddable's
 * `Preference` and Espruino's `Storage` files. Small values (settings, an MQTT offline queue,
 * OTA state); not for bulk data.
 *
 * - `new Storage({ domain })`: keys live in a domain (1-8 letters, digits, '_' or '-'), so the
 *   SDK's modules don't collide with the app's.
 * - `get(key)` → the stored bytes, or undefined. `set(key, bytes)`: replaces the value whole (a
 *   reader sees the old value or the new one, never half of it). `delete(key)`. `keys()`.
 * - Keys: 1-15 of the same characters (Moddable's preference keys and Espruino's 28-character
 *   file names, `domain.key`, both fit). Values: at most 4096 bytes (RangeError beyond).
 */
export interface StorageOptions {
  domain: string;
}

export interface Storage {
  get(key: string): Uint8Array | undefined;
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
  keys(): string[];
}

export interface StorageClass {
  new (options: StorageOptions): Storage;
}

export const MAX_STORAGE_VALUE = 4096;
