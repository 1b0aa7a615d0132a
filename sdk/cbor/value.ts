/**
 * What the SDK's CBOR codec carries: the JSON data model plus byte strings and `undefined`.
 * Integers are exact up to 2^53 in magnitude; maps have string keys (a decoded integer key
 * becomes its decimal string).
 */
export type CborValue = number | string | boolean | null | undefined | Uint8Array | CborValue[] | CborMap;

export interface CborMap {
  [key: string]: CborValue;
}

/** Default limit on nested arrays, maps and tags, for encode and decode alike. */
export const DEFAULT_MAX_DEPTH = 16;

/** 2^53: integers up to this magnitude are exact as JavaScript numbers. */
export const MAX_EXACT = 9007199254740992;
