/**
 * Outbox: the QoS 1 messages not yet acknowledged, oldest first, bounded, and (with a Storage)
 * kept in flash so they survive a reset. Each message is one Storage value `m<seq>` (seq in base
 * 36), written when queued and deleted when acknowledged; a message too large for one value
 * (over MAX_STORAGE_VALUE with its header) is kept in RAM only and counted in `unpersisted`.
 *
 * Record layout: flags (bit 0 retain), topic length (u16), topic (UTF-8), payload.
 */
import { utf8Decode, utf8Encode } from '../../bytes.js';
import { MAX_STORAGE_VALUE, type Storage } from '../../../firmware/hal/contract/storage.js';
import type { Done } from '../connection.js';

export interface OutgoingMessage {
  seq: number;
  topic: string;
  payload: Uint8Array;
  retain: boolean;
  /** Set once sent: the packet id it went with (kept for the DUP resend after a reconnect). */
  packetId?: number;
  done?: Done;
}

export class Outbox {
  readonly messages: OutgoingMessage[] = [];
  dropped = 0;
  unpersisted = 0;
  /** Messages restored from Storage at start (sent by an earlier boot, not acknowledged). */
  readonly restored: number;
  private nextSeq = 1;

  constructor(
    private readonly limit: number,
    private readonly storage?: Storage,
  ) {
    let restored = 0;
    if (storage) {
      const seqs = storage
        .keys()
        .filter((k) => k.charAt(0) === 'm')
        .map((k) => parseInt(k.slice(1), 36))
        .filter((n) => n > 0)
        .sort((a, b) => a - b);
      for (const seq of seqs) {
        const record = storage.get(`m${seq.toString(36)}`);
        const message = record && decodeRecord(seq, record);
        if (message) {
          this.messages.push(message);
          restored++;
        } else storage.delete(`m${seq.toString(36)}`);
        this.nextSeq = seq + 1;
      }
    }
    this.restored = restored;
  }

  /** Queues a message; when over the limit, the oldest is dropped (its `done` gets an error). */
  add(topic: string, payload: Uint8Array, retain: boolean, done?: Done): OutgoingMessage {
    const message: OutgoingMessage = { seq: this.nextSeq++, topic, payload, retain, done };
    if (this.storage) {
      const record = encodeRecord(message);
      if (record.length <= MAX_STORAGE_VALUE) this.storage.set(key(message.seq), record);
      else this.unpersisted++;
    }
    this.messages.push(message);
    while (this.messages.length > this.limit) {
      const oldest = this.messages[0]!;
      this.remove(oldest);
      this.dropped++;
      if (oldest.done) oldest.done(new Error(`dropped: more than ${this.limit} QoS 1 messages waiting`));
    }
    return message;
  }

  /** The message sent with `packetId`, if any. */
  byPacketId(packetId: number): OutgoingMessage | undefined {
    for (const m of this.messages) if (m.packetId === packetId) return m;
    return undefined;
  }

  remove(message: OutgoingMessage): void {
    const at = this.messages.indexOf(message);
    if (at >= 0) this.messages.splice(at, 1);
    if (this.storage) this.storage.delete(key(message.seq));
  }
}

const key = (seq: number) => `m${seq.toString(36)}`;

function encodeRecord(m: OutgoingMessage): Uint8Array {
  const topic = utf8Encode(m.topic);
  const out = new Uint8Array(3 + topic.length + m.payload.length);
  out[0] = m.retain ? 1 : 0;
  out[1] = topic.length >> 8;
  out[2] = topic.length & 0xff;
  out.set(topic, 3);
  out.set(m.payload, 3 + topic.length);
  return out;
}

function decodeRecord(seq: number, record: Uint8Array): OutgoingMessage | undefined {
  if (record.length < 3) return undefined;
  const topicLength = (record[1]! << 8) | record[2]!;
  if (3 + topicLength > record.length) return undefined;
  return { seq, retain: (record[0]! & 1) === 1, topic: utf8Decode(record, 3, 3 + topicLength), payload: record.slice(3 + topicLength) };
}
