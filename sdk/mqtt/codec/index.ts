/** The MQTT 3.1.1 codec: pure functions over bytes, no I/O. */
export { encodePacket } from './encode.js';
export { decodePacket } from './decode.js';
export { PacketReader } from './reader.js';
export { isProtocolError, protocolError } from './errors.js';
export * from './packets.js';
