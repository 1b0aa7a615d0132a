/**
 * CBOR (RFC 8949), engine-neutral: `encodeCbor` writes preferred serialization, `decodeCbor`
 * reads any well-formed item within the SDK's data model and names the byte of anything else.
 */
export { decodeCbor, isCborError, type CborError, type DecodeOptions } from './decode.js';
export { encodeCbor, encodeCborHead, type EncodeOptions } from './encode.js';
export type { CborMap, CborValue } from './value.js';
