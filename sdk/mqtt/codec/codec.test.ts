/**
 * The MQTT codec against the standard's byte layouts and against mqtt-packet (MQTT.js's codec),
 * an independent implementation: the same packets must give the same bytes both ways.
 */
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PacketReader, decodePacket, encodePacket, isProtocolError, type Packet } from './index.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** Each packet, with the same packet as mqtt-packet describes it. */
const pairs: [Packet, Record<string, unknown>][] = [
  [
    { type: 'connect', clientId: 'dev-1', clean: true, keepAlive: 60 },
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'dev-1', keepalive: 60 },
  ],
  [
    { type: 'connect', clientId: 'sensor-ü', clean: false, keepAlive: 1200, username: 'u', password: text('p@ss'), will: { topic: 'dt/x/lwt', payload: text('gone'), qos: 1, retain: true } },
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, clientId: 'sensor-ü', keepalive: 1200, username: 'u', password: Buffer.from('p@ss'), will: { topic: 'dt/x/lwt', payload: Buffer.from('gone'), qos: 1, retain: true } },
  ],
  [{ type: 'connack', sessionPresent: true, returnCode: 0 }, { cmd: 'connack', sessionPresent: true, returnCode: 0 }],
  [
    { type: 'publish', topic: '$aws/things/t1/shadow/update', payload: text('{"state":{}}'), qos: 1, retain: false, dup: true, packetId: 513 },
    { cmd: 'publish', topic: '$aws/things/t1/shadow/update', payload: Buffer.from('{"state":{}}'), qos: 1, retain: false, dup: true, messageId: 513 },
  ],
  [
    { type: 'publish', topic: 'a/b', payload: new Uint8Array(300).fill(7), qos: 0, retain: true, dup: false },
    { cmd: 'publish', topic: 'a/b', payload: Buffer.alloc(300, 7), qos: 0, retain: true, dup: false },
  ],
  [{ type: 'puback', packetId: 65535 }, { cmd: 'puback', messageId: 65535 }],
  [
    { type: 'subscribe', packetId: 2, subscriptions: [{ filter: 'cmd/+/x', qos: 1 }, { filter: '#', qos: 0 }] },
    { cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'cmd/+/x', qos: 1 }, { topic: '#', qos: 0 }] },
  ],
  [{ type: 'suback', packetId: 2, granted: [1, 0x80] }, { cmd: 'suback', messageId: 2, granted: [1, 128] }],
  [{ type: 'unsubscribe', packetId: 3, filters: ['a', 'b/#'] }, { cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['a', 'b/#'] }],
  [{ type: 'unsuback', packetId: 3 }, { cmd: 'unsuback', messageId: 3 }],
  [{ type: 'pingreq' }, { cmd: 'pingreq' }],
  [{ type: 'pingresp' }, { cmd: 'pingresp' }],
  [{ type: 'disconnect' }, { cmd: 'disconnect' }],
];

function decodeAll(data: Uint8Array): Packet[] {
  return new PacketReader().push(data);
}

describe('encodePacket', () => {
  it('lays out CONNECT as the standard does (3.1.2: name, level 4, flags, keepalive, then the payload fields in order)', () => {
    const packet = encodePacket({ type: 'connect', clientId: 'c', clean: true, keepAlive: 10, username: 'u', password: text('pw'), will: { topic: 't', payload: text('w'), qos: 1, retain: false } });
    // prettier-ignore
    expect(Array.from(packet)).toEqual([
      0x10, 26,
      0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x80 | 0x40 | 0x08 | 0x04 | 0x02, 0, 10,
      0, 1, 0x63, 0, 1, 0x74, 0, 1, 0x77, 0, 1, 0x75, 0, 2, 0x70, 0x77,
    ]);
  });

  it('gives the same bytes as mqtt-packet for every packet type', () => {
    for (const [packet, theirs] of pairs) {
      expect(Buffer.from(encodePacket(packet)).toString('hex'), packet.type).toBe(mqttPacket.generate(theirs as never).toString('hex'));
    }
  });

  it('uses 1 to 4 bytes of remaining length at the boundaries (2.2.3)', () => {
    const sizes: [number, number][] = [[127, 1], [128, 2], [16383, 2], [16384, 3], [2097151, 3], [2097152, 4]];
    for (const [remaining, lengthBytes] of sizes) {
      const payload = new Uint8Array(remaining - 3); // topic "a" takes 3 bytes
      const packet = encodePacket({ type: 'publish', topic: 'a', payload, qos: 0, retain: false, dup: false });
      expect(packet.length, `remaining ${remaining}`).toBe(1 + lengthBytes + remaining);
      expect((new PacketReader(3_000_000).push(packet)[0] as { payload: Uint8Array }).payload.length).toBe(payload.length);
    }
  });

  it('refuses what the standard forbids, naming the rule', () => {
    const fail = (packet: Packet) => () => encodePacket(packet);
    expect(fail({ type: 'puback', packetId: 0 })).toThrow('packet id 0 must be 1-65535 [MQTT-2.3.1-1]');
    expect(fail({ type: 'publish', topic: 'a', payload: bytes(), qos: 2 as 1, retain: false, dup: false })).toThrow(/QoS 2 is not supported/);
    expect(fail({ type: 'connect', clientId: 'a\u0000b', clean: true, keepAlive: 0 })).toThrow('client id contains U+0000 [MQTT-1.5.3-2]');
    expect(fail({ type: 'connect', clientId: 'a', clean: true, keepAlive: 0, password: text('x') })).toThrow('[MQTT-3.1.2-22]');
    expect(fail({ type: 'subscribe', packetId: 1, subscriptions: [] })).toThrow('[MQTT-3.8.3-3]');
    expect(fail({ type: 'connect', clientId: 'x'.repeat(70000), clean: true, keepAlive: 0 })).toThrow(/at most 65535 fit/);
  });

  it('never sets DUP on QoS 0 (3.3.1-2)', () => {
    expect(encodePacket({ type: 'publish', topic: 'a', payload: bytes(), qos: 0, retain: false, dup: true })[0]).toBe(0x30);
  });
});

describe('PacketReader', () => {
  it("decodes mqtt-packet's bytes into the same packets", () => {
    for (const [packet, theirs] of pairs) expect(decodeAll(new Uint8Array(mqttPacket.generate(theirs as never))), packet.type).toEqual([packet]);
  });

  it('reassembles packets from any chunking: byte by byte, and several in one chunk', () => {
    const stream = Buffer.concat(pairs.map(([p]) => Buffer.from(encodePacket(p))));
    const reader = new PacketReader();
    const oneByOne: Packet[] = [];
    for (const b of stream) oneByOne.push(...reader.push(bytes(b)));
    expect(oneByOne).toEqual(pairs.map(([p]) => p));
    expect(reader.pending).toBe(0);
    expect(decodeAll(new Uint8Array(stream))).toEqual(pairs.map(([p]) => p));
  });

  it('waits for the rest of a packet, and keeps the next one', () => {
    const reader = new PacketReader();
    const puback = encodePacket({ type: 'puback', packetId: 9 });
    const ping = encodePacket({ type: 'pingresp' });
    expect(reader.push(puback.subarray(0, 3))).toEqual([]);
    expect(reader.push(new Uint8Array([...puback.subarray(3), ping[0]!]))).toEqual([{ type: 'puback', packetId: 9 }]);
    expect(reader.push(ping.subarray(1))).toEqual([{ type: 'pingresp' }]);
  });

  it('refuses malformed input with a protocol error naming the rule, and then refuses the stream', () => {
    const cases: [number[], RegExp][] = [
      [[0x30, 0xff, 0xff, 0xff, 0xff, 0x01], /remaining length longer than 4 bytes/],
      [[0x00, 0x00], /packet type 0 is reserved/],
      [[0x82, 0x00].map((b, i) => (i === 0 ? 0x80 : b)), /SUBSCRIBE: flags 0 must be 2/],
      [[0x36, 0x05, 0, 1, 0x61, 0, 1], /QoS 3 is malformed/],
      [[0x34, 0x05, 0, 1, 0x61, 0, 1], /QoS 2 is not supported/],
      [[0x38, 0x03, 0, 1, 0x61], /DUP set on QoS 0/],
      [[0x30, 0x03, 0, 1, 0x23], /contains a wildcard/],
      [[0x30, 0x04, 0, 2, 0xc3, 0x28], /not well-formed UTF-8/],
      [[0x30, 0x04, 0, 2, 0x61, 0x00], /contains U\+0000/],
      [[0x20, 0x01, 0x00], /CONNACK: truncated in return code/],
      [[0x20, 0x02, 0x02, 0x00], /reserved acknowledge flags/],
      [[0x40, 0x02, 0x00, 0x00], /packet id 0/],
      [[0x50, 0x02, 0x00, 0x01], /QoS 2 flows are not supported/],
      [[0x90, 0x03, 0x00, 0x01, 0x03], /SUBACK: return code 3 is reserved/],
      [[0xd0, 0x01, 0x00], /1 unexpected byte/],
    ];
    for (const [input, message] of cases) {
      const reader = new PacketReader();
      let error: unknown;
      try {
        reader.push(new Uint8Array(input));
      } catch (e) {
        error = e;
      }
      expect(isProtocolError(error), `${input} -> ${String(error)}`).toBe(true);
      expect(String(error)).toMatch(message);
      expect(() => reader.push(encodePacket({ type: 'pingresp' }))).toThrow(message);
    }
  });

  it('refuses a packet over its size limit as soon as the length is known', () => {
    const reader = new PacketReader(100);
    expect(() => reader.push(bytes(0x30, 0x80, 0x01))).toThrow('packet of 131 bytes is over the limit of 100');
  });

  it('decodePacket alone decodes one body', () => {
    expect(decodePacket(0x20, bytes(0, 5))).toEqual({ type: 'connack', sessionPresent: false, returnCode: 5 });
  });
});
