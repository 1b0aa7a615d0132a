/** Espruino's byte conversions (E.toString, E.toUint8Array) and require(), as the port uses them. */
interface EspruinoE {
  toString(bytes: Uint8Array): string;
  toUint8Array(data: string): Uint8Array;
}
declare const E: EspruinoE;
declare function require(name: string): unknown;

/** Bytes as a binary string (one character per byte), the form Espruino's modules take. */
export function bytesToString(bytes: Uint8Array): string {
  return E.toString(bytes);
}

export function stringToBytes(data: string): Uint8Array {
  return E.toUint8Array(data);
}

export function espruinoModule<T>(name: string): T {
  return require(name) as T;
}
