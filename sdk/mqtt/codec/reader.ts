/**
 * PacketReader: cuts a byte stream (TCP delivers any chunking) into MQTT packets. Feed it each
 * chunk; it returns the packets completed so far and keeps the rest. A malformed length, a packet
 * over `maxPacketBytes`, or a malformed packet throws a protocol error; after one, the stream is
 * unusable (the connection must be closed), and the reader refuses further input.
 */
import { protocolError } from './errors.js';
import { decodePacket } from './decode.js';
import type { Packet } from './packets.js';

export class PacketReader {
  private buffer = new Uint8Array(0);
  private failed: Error | undefined;

  /** `maxPacketBytes`: the largest whole packet accepted (default 128 KiB plus headers, AWS IoT's payload limit). */
  constructor(private readonly maxPacketBytes = 131072 + 1024) {}

  push(chunk: Uint8Array): Packet[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      const joined = new Uint8Array(this.buffer.length + chunk.length);
      joined.set(this.buffer, 0);
      joined.set(chunk, this.buffer.length);
      this.buffer = joined;
    }
    const packets: Packet[] = [];
    let at = 0;
    try {
      for (;;) {
        const header = remainingLength(this.buffer, at);
        if (!header) break;
        const total = header.headerBytes + header.length;
        if (total > this.maxPacketBytes) throw protocolError(`packet of ${total} bytes is over the limit of ${this.maxPacketBytes}`);
        if (this.buffer.length - at < total) break;
        const body = this.buffer.subarray(at + header.headerBytes, at + total);
        packets.push(decodePacket(this.buffer[at]!, body));
        at += total;
      }
    } catch (error) {
      this.failed = error as Error;
      throw error;
    }
    this.buffer = this.buffer.slice(at);
    return packets;
  }

  /** Bytes received but not yet a whole packet. */
  get pending(): number {
    return this.buffer.length;
  }
}

/** The remaining length at `at` (after the first byte), or undefined if its bytes have not all arrived. */
function remainingLength(bytes: Uint8Array, at: number): { length: number; headerBytes: number } | undefined {
  let length = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    if (at + i >= bytes.length) return undefined;
    const digit = bytes[at + i]!;
    length += (digit & 0x7f) * multiplier;
    if ((digit & 0x80) === 0) return { length, headerBytes: 1 + i };
    multiplier *= 128;
  }
  throw protocolError('remaining length longer than 4 bytes [MQTT-2.2.3]');
}
