/**
 * decodePacket: the body of one MQTT 3.1.1 control packet (after its fixed header) to a Packet.
 * Anything malformed throws a protocol error that names the rule it breaks; nothing is guessed.
 */
import { utf8Decode, utf8Encode } from '../../bytes.js';
import { protocolError } from './errors.js';
import type { Packet, QoS } from './packets.js';

const NAMES = ['reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'reserved'];

/** The flags each type must carry, where fixed [MQTT-2.2.2-1]. PUBLISH's are free. */
const FIXED_FLAGS: { [type: number]: number } = { 1: 0, 2: 0, 4: 0, 8: 2, 9: 0, 10: 2, 11: 0, 12: 0, 13: 0, 14: 0 };

class Reader {
  at = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  get left(): number {
    return this.bytes.length - this.at;
  }

  need(n: number, field: string): void {
    if (this.left < n) throw protocolError(`${this.what}: truncated in ${field} (${this.left} of ${n} bytes)`);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.at++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = (this.bytes[this.at]! << 8) | this.bytes[this.at + 1]!;
    this.at += 2;
    return v;
  }

  binary(field: string): Uint8Array {
    const n = this.u16(`${field} length`);
    this.need(n, field);
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** A UTF-8 string: well-formed, without U+0000 [MQTT-1.5.3-1, -2]. */
  string(field: string): string {
    const bytes = this.binary(field);
    const text = utf8Decode(bytes);
    if (!sameBytes(utf8Encode(text), bytes)) throw protocolError(`${this.what}: ${field} is not well-formed UTF-8 [MQTT-1.5.3-1]`);
    if (text.indexOf('\u0000') >= 0) throw protocolError(`${this.what}: ${field} contains U+0000 [MQTT-1.5.3-2]`);
    return text;
  }

  packetId(): number {
    const id = this.u16('packet id');
    if (id === 0) throw protocolError(`${this.what}: packet id 0 [MQTT-2.3.1-1]`);
    return id;
  }

  rest(): Uint8Array {
    const out = this.bytes.slice(this.at);
    this.at = this.bytes.length;
    return out;
  }

  end(): void {
    if (this.left !== 0) throw protocolError(`${this.what}: ${this.left} unexpected byte(s) at the end`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function qosOf(bits: number, what: string): QoS {
  if (bits === 0 || bits === 1) return bits;
  throw protocolError(bits === 2 ? `${what}: QoS 2 is not supported` : `${what}: QoS 3 is malformed [MQTT-3.3.1-4]`);
}

/** Decodes a packet from its fixed header's first byte and its body (the remaining length bytes). */
export function decodePacket(firstByte: number, body: Uint8Array): Packet {
  const typeNumber = firstByte >> 4;
  const flags = firstByte & 0x0f;
  const name = NAMES[typeNumber]!;
  const what = name.toUpperCase();
  if (name === 'reserved') throw protocolError(`packet type ${typeNumber} is reserved [MQTT-2.2.1]`);
  if (name === 'pubrec' || name === 'pubrel' || name === 'pubcomp') throw protocolError(`${what}: QoS 2 flows are not supported`);
  const fixed = FIXED_FLAGS[typeNumber];
  if (fixed !== undefined && flags !== fixed) throw protocolError(`${what}: flags ${flags} must be ${fixed} [MQTT-2.2.2-2]`);
  const r = new Reader(body, what);
  switch (name) {
    case 'connect': {
      const protocol = r.string('protocol name');
      const level = r.u8('protocol level');
      if (protocol !== 'MQTT') throw protocolError(`CONNECT: protocol name "${protocol}" is not "MQTT" [MQTT-3.1.2-1]`);
      if (level !== 4) throw protocolError(`CONNECT: protocol level ${level} is not 4 (3.1.1) [MQTT-3.1.2-2]`);
      const f = r.u8('connect flags');
      if (f & 1) throw protocolError('CONNECT: reserved flag set [MQTT-3.1.2-3]');
      const keepAlive = r.u16('keepalive');
      const clientId = r.string('client id');
      const packet: Packet = { type: 'connect', clientId, clean: (f & 2) !== 0, keepAlive };
      if (f & 4) {
        const topic = r.string('will topic');
        const payload = r.binary('will message');
        packet.will = { topic, payload, qos: qosOf((f >> 3) & 3, 'CONNECT will'), retain: (f & 0x20) !== 0 };
      } else if (f & 0x38) throw protocolError('CONNECT: will QoS or retain without a will [MQTT-3.1.2-11]');
      if (f & 0x80) packet.username = r.string('user name');
      if (f & 0x40) {
        if (!(f & 0x80)) throw protocolError('CONNECT: password without a user name [MQTT-3.1.2-22]');
        packet.password = r.binary('password');
      }
      r.end();
      return packet;
    }
    case 'connack': {
      const ack = r.u8('acknowledge flags');
      if (ack & 0xfe) throw protocolError('CONNACK: reserved acknowledge flags set [MQTT-3.2.2.1]');
      const returnCode = r.u8('return code');
      r.end();
      if (returnCode > 5) throw protocolError(`CONNACK: return code ${returnCode} is reserved`);
      return { type: 'connack', sessionPresent: ack === 1, returnCode };
    }
    case 'publish': {
      const qos = qosOf((flags >> 1) & 3, 'PUBLISH');
      const dup = (flags & 8) !== 0;
      if (dup && qos === 0) throw protocolError('PUBLISH: DUP set on QoS 0 [MQTT-3.3.1-2]');
      const topic = r.string('topic');
      if (topic.length === 0) throw protocolError('PUBLISH: empty topic name [MQTT-4.7.3-1]');
      if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) throw protocolError(`PUBLISH: topic "${topic}" contains a wildcard [MQTT-3.3.2-2]`);
      const packet: Packet = { type: 'publish', topic, qos, dup, retain: (flags & 1) !== 0, payload: new Uint8Array(0) };
      if (qos > 0) packet.packetId = r.packetId();
      packet.payload = r.rest();
      return packet;
    }
    case 'puback':
    case 'unsuback': {
      const packetId = r.packetId();
      r.end();
      return { type: name, packetId };
    }
    case 'subscribe': {
      const packetId = r.packetId();
      const subscriptions: { filter: string; qos: QoS }[] = [];
      while (r.left > 0) {
        const filter = r.string('topic filter');
        const requested = r.u8('requested QoS');
        if (requested & 0xfc) throw protocolError('SUBSCRIBE: reserved bits set in requested QoS [MQTT-3.8.3-4]');
        subscriptions.push({ filter, qos: requested >= 1 ? 1 : 0 });
      }
      if (subscriptions.length === 0) throw protocolError('SUBSCRIBE: no topic filter [MQTT-3.8.3-3]');
      return { type: 'subscribe', packetId, subscriptions };
    }
    case 'suback': {
      const packetId = r.packetId();
      const granted: number[] = [];
      while (r.left > 0) {
        const code = r.u8('return code');
        if (code > 2 && code !== 0x80) throw protocolError(`SUBACK: return code ${code} is reserved [MQTT-3.9.3-2]`);
        granted.push(code);
      }
      if (granted.length === 0) throw protocolError('SUBACK: no return code');
      return { type: 'suback', packetId, granted };
    }
    case 'unsubscribe': {
      const packetId = r.packetId();
      const filters: string[] = [];
      while (r.left > 0) filters.push(r.string('topic filter'));
      if (filters.length === 0) throw protocolError('UNSUBSCRIBE: no topic filter [MQTT-3.10.3-2]');
      return { type: 'unsubscribe', packetId, filters };
    }
    default:
      r.end();
      return { type: name as 'pingreq' | 'pingresp' | 'disconnect' };
  }
}
