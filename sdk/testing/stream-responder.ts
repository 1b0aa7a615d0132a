/**
 * FOR TESTS ONLY: AWS IoT MQTT-based file delivery's GetStream, written from the spec
 * (shared/specs/aws-iot-contracts.md, "OTA file streams"; JSON and CBOR), until mote's cloud
 * serves streams. Answers `$aws/things/{thing}/streams/{stream}/get/{json|cbor}` with
 * one `.../data/{fmt}` message per requested block, or `.../rejected/{fmt}` `{c, o, m}`.
 * Engine-neutral.
 */
import { cborFormat, jsonFormat } from '../request.js';
import type { Message, MqttConnection } from '../mqtt/connection.js';
import { base64Decode, base64Encode } from '../ota/base64.js';

export class StreamResponder {
  /** stream id -> file id -> bytes */
  readonly streams: { [stream: string]: { [fileId: number]: Uint8Array } } = {};
  /** Every GetStream request, decoded. */
  readonly requests: { stream: string; o: number; n: number; blocks: number[] }[] = [];

  constructor(private readonly connection: MqttConnection) {
    connection.subscribe('$aws/things/+/streams/+/get/+', (m) => this.onGet(m));
  }

  private onGet(message: Message): void {
    const levels = message.topic.split('/');
    const prefix = levels.slice(0, 5).join('/');
    const stream = levels[4]!;
    const fmt = levels[6]!;
    const codec = fmt === 'cbor' ? cborFormat : fmt === 'json' ? jsonFormat : undefined;
    if (!codec) return;
    const reject = (token: unknown, code: string, text: string) =>
      this.connection.publish(`${prefix}/rejected/${fmt}`, codec.encode({ ...(typeof token === 'string' && { c: token }), o: code, m: text }));
    let r: { c?: string; f?: number; l?: number; o?: number; n?: number; b?: string | Uint8Array };
    try {
      r = codec.decode(message.payload) as typeof r;
    } catch (_) {
      return reject(undefined, fmt === 'json' ? 'InvalidJson' : 'InvalidCbor', 'Request cannot be decoded');
    }
    const file = this.streams[stream] && this.streams[stream]![r.f || 0];
    if (!file) return reject(r.c, 'ResourceNotFound', `No file ${r.f || 0} in stream ${stream}`);
    const l = r.l!;
    if (!(l >= 256 && l <= 131072)) return reject(r.c, 'BlockSizeOutOfBounds', 'The block size is out of bounds');
    const total = Math.ceil(file.length / l);
    const o = r.o || 0;
    const n = r.n || 1;
    if (o < 0 || o >= total) return reject(r.c, 'OffsetOutOfBounds', 'The offset is out of bounds');
    const bitmap = r.b === undefined ? undefined : typeof r.b === 'string' ? base64Decode(r.b) : r.b;
    if (bitmap && bitmap.length !== Math.ceil(n / 8)) return reject(r.c, 'BlockBitmapIncorrectLength', 'The block bitmap has an incorrect length');
    const blocks: number[] = [];
    for (let j = 0; j < n && o + j < total; j++) if (!bitmap || bitmap[j >> 3]! & (1 << (j & 7))) blocks.push(o + j);
    this.requests.push({ stream, o, n, blocks });
    for (const i of blocks) {
      const p = file.subarray(i * l, Math.min(file.length, (i + 1) * l));
      this.connection.publish(`${prefix}/data/${fmt}`, codec.encode({ ...(r.c !== undefined && { c: r.c }), f: r.f || 0, l: p.length, i, p: fmt === 'cbor' ? p : base64Encode(p) }));
    }
  }
}
