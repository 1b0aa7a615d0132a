/**
 * encodePacket: one MQTT 3.1.1 control packet to bytes. It checks what the encoder is responsible
 * for (lengths that fit their fields, packet ids 1-65535, QoS, strings without U+0000) and throws
 * a protocol error naming the rule; topic and filter syntax is the client's to check (topics.ts).
 */
import { utf8Encode } from '../../bytes.js';
import { protocolError } from './errors.js';
import { MAX_REMAINING_LENGTH, type Packet, type QoS, TYPE_NUMBERS } from './packets.js';

/** Bytes of a packet under construction: u8, u16, length-prefixed strings and binary. */
class Writer {
  private readonly parts: (number | Uint8Array)[] = [];
  length = 0;

  u8(value: number): void {
    this.parts.push(value & 0xff);
    this.length += 1;
  }

  u16(value: number): void {
    this.u8(value >> 8);
    this.u8(value);
  }

  raw(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** A length-prefixed UTF-8 string [MQTT-1.5.3]. */
  string(text: string, what: string): void {
    if (text.indexOf('\u0000') >= 0) throw protocolError(`${what} contains U+0000 [MQTT-1.5.3-2]`);
    this.binary(utf8Encode(text), what);
  }

  /** Length-prefixed binary data (the will message, the password). */
  binary(bytes: Uint8Array, what: string): void {
    if (bytes.length > 0xffff) throw protocolError(`${what} is ${bytes.length} bytes; at most 65535 fit [MQTT-1.5.3]`);
    this.u16(bytes.length);
    this.raw(bytes);
  }

  /** The fixed header, then this writer's bytes, as one array. */
  packet(firstByte: number): Uint8Array {
    const remaining = this.length;
    if (remaining > MAX_REMAINING_LENGTH) throw protocolError(`packet of ${remaining} bytes is over MQTT's maximum remaining length`);
    const header: number[] = [firstByte];
    let n = remaining;
    do {
      let digit = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) digit |= 0x80;
      header.push(digit);
    } while (n > 0);
    const out = new Uint8Array(header.length + remaining);
    out.set(header, 0);
    let at = header.length;
    for (const part of this.parts) {
      if (typeof part === 'number') out[at++] = part;
      else {
        out.set(part, at);
        at += part.length;
      }
    }
    return out;
  }
}

function checkPacketId(id: number | undefined): number {
  if (typeof id !== 'number' || id !== Math.floor(id) || id < 1 || id > 0xffff) throw protocolError(`packet id ${String(id)} must be 1-65535 [MQTT-2.3.1-1]`);
  return id;
}

function checkQos(qos: number, what: string): QoS {
  if (qos !== 0 && qos !== 1) throw protocolError(`${what}: QoS ${String(qos)} is not supported (0 or 1)`);
  return qos;
}

export function encodePacket(packet: Packet): Uint8Array {
  const w = new Writer();
  const type = TYPE_NUMBERS[packet.type]! << 4;
  switch (packet.type) {
    case 'connect': {
      const { will, username, password } = packet;
      if (password !== undefined && username === undefined) throw protocolError('a password needs a user name [MQTT-3.1.2-22]');
      if (packet.keepAlive !== Math.floor(packet.keepAlive) || packet.keepAlive < 0 || packet.keepAlive > 0xffff) throw protocolError(`keepalive ${packet.keepAlive} must be 0-65535 seconds`);
      let flags = packet.clean ? 0x02 : 0;
      if (will) flags |= 0x04 | (checkQos(will.qos, 'will') << 3) | (will.retain ? 0x20 : 0);
      if (username !== undefined) flags |= 0x80;
      if (password !== undefined) flags |= 0x40;
      w.string('MQTT', 'protocol name');
      w.u8(4);
      w.u8(flags);
      w.u16(packet.keepAlive);
      w.string(packet.clientId, 'client id');
      if (will) {
        w.string(will.topic, 'will topic');
        w.binary(will.payload, 'will message');
      }
      if (username !== undefined) w.string(username, 'user name');
      if (password !== undefined) w.binary(password, 'password');
      return w.packet(type);
    }
    case 'connack':
      w.u8(packet.sessionPresent ? 1 : 0);
      w.u8(packet.returnCode);
      return w.packet(type);
    case 'publish': {
      const qos = checkQos(packet.qos, 'publish');
      w.string(packet.topic, 'topic');
      if (qos > 0) w.u16(checkPacketId(packet.packetId));
      w.raw(packet.payload);
      // DUP must be 0 for QoS 0 [MQTT-3.3.1-2].
      return w.packet(type | (packet.dup && qos > 0 ? 0x08 : 0) | (qos << 1) | (packet.retain ? 1 : 0));
    }
    case 'puback':
    case 'unsuback':
      w.u16(checkPacketId(packet.packetId));
      return w.packet(type);
    case 'subscribe':
      if (packet.subscriptions.length === 0) throw protocolError('SUBSCRIBE needs at least one topic filter [MQTT-3.8.3-3]');
      w.u16(checkPacketId(packet.packetId));
      for (const s of packet.subscriptions) {
        w.string(s.filter, 'topic filter');
        w.u8(checkQos(s.qos, 'subscribe'));
      }
      return w.packet(type | 0x02); // reserved flags 0010 [MQTT-3.8.1-1]
    case 'suback':
      w.u16(checkPacketId(packet.packetId));
      for (const code of packet.granted) w.u8(code);
      return w.packet(type);
    case 'unsubscribe':
      if (packet.filters.length === 0) throw protocolError('UNSUBSCRIBE needs at least one topic filter [MQTT-3.10.3-2]');
      w.u16(checkPacketId(packet.packetId));
      for (const f of packet.filters) w.string(f, 'topic filter');
      return w.packet(type | 0x02); // [MQTT-3.10.1-1]
    default:
      return w.packet(type);
  }
}
