/**
 * AWS IoT's MQTT-based file delivery for OTA files (shared/specs/aws-iot-contracts.md, "OTA
 * file streams"), S = `$aws/things/{thing}/streams/{stream}`, fmt = json | cbor:
 *
 * - `S/describe/{fmt}` `{c?}` -> `S/description/{fmt}` `{c?, s: stream version, d?: description, r: [{f: file id, z: size}]}`
 * - `S/get/{fmt}` `{c?, f: file id, l: block size, o: first block, n: blocks, b?: bitmap}` -> one
 *   `S/data/{fmt}` `{c?, f, l: bytes in this block, i: block id, p: payload}` per wanted block
 *   (bit j of bitmap byte k, least significant first, asks for block o + 8k + j; no bitmap: all n)
 * - refusals on `S/rejected/{fmt}` `{c?, o: code, m: message}`.
 *
 * In JSON the bitmap and payloads are base64 text, in CBOR byte strings (sdk/cbor, so the bytes
 * are what the device SDK decodes).
 */
import type { MessageBus } from '../bus.js';
import { cborFormat, jsonFormat } from '../../sdk/request.js';
import type { OtaFiles } from './files.js';

export const MIN_BLOCK_BYTES = 256;
export const MAX_BLOCK_BYTES = 128 * 1024;
/** Blocks one request may ask for. */
export const MAX_BLOCKS_PER_REQUEST = 128;

export const streamRequestFilters = ['$aws/things/+/streams/+/get/+', '$aws/things/+/streams/+/describe/+'] as const;

const topic = /^(\$aws\/things\/[^/]+\/streams\/([^/]+))\/(get|describe)\/(json|cbor)$/;

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

export function bindStreams(bus: MessageBus, files: OtaFiles, onError: (error: Error) => void): void {
  const handle = async (name: string, payload: Buffer) => {
    const match = topic.exec(name);
    if (!match) return;
    const [, prefix, streamId, operation, fmt] = match as unknown as [string, string, string, 'get' | 'describe', 'json' | 'cbor'];
    const format = fmt === 'cbor' ? cborFormat : jsonFormat;
    const send = (suffix: string, body: object) => bus.publish(`${prefix}/${suffix}/${fmt}`, Buffer.from(format.encode(body)), { qos: 0 });
    let token: string | undefined;
    try {
      let request: unknown;
      try {
        request = payload.length === 0 ? {} : format.decode(payload);
      } catch {
        throw new Refusal('InvalidRequest', `The request is not valid ${fmt.toUpperCase()}`);
      }
      if (typeof request !== 'object' || request === null || Array.isArray(request) || request instanceof Uint8Array) throw new Refusal('InvalidRequest', 'The request must be a map');
      const r = request as Record<string, unknown>;
      if (typeof r.c === 'string') token = r.c;
      const file = await files.find(streamId);
      if (operation === 'describe') {
        if (file === undefined) throw new Refusal('ResourceNotFound', `No stream ${streamId}`);
        return await send('description', { ...(token !== undefined && { c: token }), s: 1, ...(file.description !== undefined && { d: file.description }), r: [{ f: file.fileId, z: file.size }] });
      }
      const fileId = r.f ?? 0;
      const bytes = file !== undefined && fileId === file.fileId ? await files.bytes(streamId) : undefined;
      if (bytes === undefined) throw new Refusal('ResourceNotFound', `No file ${String(fileId)} in stream ${streamId}`);
      const blockSize = r.l;
      if (!isInteger(blockSize) || blockSize < MIN_BLOCK_BYTES || blockSize > MAX_BLOCK_BYTES) throw new Refusal('BlockSizeOutOfBounds', `The block size must be ${MIN_BLOCK_BYTES}-${MAX_BLOCK_BYTES} bytes`);
      const total = Math.ceil(bytes.length / blockSize);
      const offset = r.o ?? 0;
      if (!isInteger(offset) || offset < 0 || offset >= total) throw new Refusal('OffsetOutOfBounds', `The offset must be a block 0-${total - 1}`);
      const count = r.n ?? 1;
      if (!isInteger(count) || count < 1 || count > MAX_BLOCKS_PER_REQUEST) throw new Refusal('BlockCountLimitExceeded', `A request asks for 1-${MAX_BLOCKS_PER_REQUEST} blocks`);
      let bitmap: Uint8Array | undefined;
      if (r.b !== undefined) {
        if (fmt === 'json' && (typeof r.b !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(r.b) || r.b.length % 4 !== 0)) throw new Refusal('InvalidRequest', 'The bitmap must be base64 text');
        if (fmt === 'cbor' && !(r.b instanceof Uint8Array)) throw new Refusal('InvalidRequest', 'The bitmap must be a byte string');
        bitmap = typeof r.b === 'string' ? Buffer.from(r.b, 'base64') : (r.b as Uint8Array);
        if (bitmap.length !== Math.ceil(count / 8)) throw new Refusal('BlockBitmapIncorrectLength', `The bitmap for ${count} blocks must be ${Math.ceil(count / 8)} bytes`);
      }
      for (let j = 0; j < count && offset + j < total; j++) {
        if (bitmap && !(bitmap[j >> 3]! & (1 << (j & 7)))) continue;
        const i = offset + j;
        const block = bytes.subarray(i * blockSize, Math.min(bytes.length, (i + 1) * blockSize));
        const p = fmt === 'cbor' ? new Uint8Array(block.buffer, block.byteOffset, block.length) : block.toString('base64');
        await send('data', { ...(token !== undefined && { c: token }), f: fileId, l: block.length, i, p });
      }
    } catch (caught) {
      if (!(caught instanceof Refusal)) onError(caught as Error);
      const refusal = caught instanceof Refusal ? caught : new Refusal('InternalError', 'Internal service failure');
      await send('rejected', { ...(token !== undefined && { c: token }), o: refusal.code, m: refusal.message });
    }
  };
  for (const filter of streamRequestFilters) {
    bus.subscribe(filter, (name, payload) => void handle(name, payload).catch(onError));
  }
}
