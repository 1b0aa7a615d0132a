/**
 * downloadFile: one file of an AWS IoT MQTT-based file delivery stream, in blocks.
 *
 * Topics, S = `$aws/things/{thing}/streams/{stream}`, fmt = json or cbor: the device publishes
 * GetStream requests on `S/get/{fmt}` and receives `S/data/{fmt}` (one message per block) or
 * `S/rejected/{fmt}`. Request `{c: clientToken, f: fileId, l: blockSize, o: first block,
 * n: blocks, b: bitmap}`, the bitmap having bit j of byte k (least significant first) set when
 * block o + 8k + j is wanted; data `{c, f, l: bytes in this block, i: block id, p: payload}`;
 * rejected `{c, o: error code, m: message}`. In JSON the bitmap and payload are base64 text, in
 * CBOR byte strings.
 *
 * The file is fetched a window of `blocksPerRequest` blocks at a time. Blocks may come in any
 * order and twice; each lands once through `onBlock(offset, bytes)`. When nothing new arrives
 * for `retryMs`, the window's missing blocks are asked for again, at most `retries` times in a
 * row before the download fails. A rejected request, a block of the wrong size, or a payload
 * that is not base64 fails it too, with the reason. Timers come from `timer` (the engine's
 * setTimeout/clearTimeout), so the module imports no engine API.
 */
import type { MqttConnection, Message } from '../mqtt/connection.js';
import { cborFormat, checkName, jsonFormat, serviceError, type Cancel } from '../request.js';
import { base64Decode, base64Encode } from './base64.js';

export interface Timer {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DownloadOptions {
  thingName: string;
  stream: string;
  fileId?: number;
  size: number;
  /** Bytes per block, 256..131072 as AWS allows. Default 1024. */
  blockSize?: number;
  /** Blocks asked for per request. Default 16. */
  blocksPerRequest?: number;
  /** Default 2000. */
  retryMs?: number;
  /** Default 'json'. */
  format?: 'json' | 'cbor';
  /** Requests in a row that bring nothing new before giving up. Default 5. */
  retries?: number;
  timer: Timer;
  /** Called after each new block (bytes so far, total). */
  onProgress?: (received: number, size: number) => void;
}

let downloads = 0;

export function downloadFile(connection: MqttConnection, options: DownloadOptions, onBlock: (offset: number, bytes: Uint8Array) => void, done: (error?: Error) => void): Cancel {
  const blockSize = options.blockSize || 1024;
  const perRequest = options.blocksPerRequest || 16;
  const retryMs = options.retryMs || 2000;
  const retries = options.retries === undefined ? 5 : options.retries;
  const fileId = options.fileId || 0;
  const size = options.size;
  const blocks = Math.ceil(size / blockSize);
  const fmt = options.format || 'json';
  const codec = fmt === 'cbor' ? cborFormat : jsonFormat;
  const prefix = `$aws/things/${checkName('thing name', options.thingName, 128)}/streams/${checkName('stream id', options.stream, 128)}`;
  const token = 'ota' + (downloads++).toString(36) + Math.floor(Math.random() * 0x7fffffff).toString(36);
  const have = new Uint8Array(blocks);
  let received = 0;
  let windowStart = 0;
  let quiet = 0; // requests in a row that brought nothing
  let gotSince = false;
  let timer: unknown;
  let over = false;

  const stop = () => {
    over = true;
    if (timer !== undefined) options.timer.clearTimeout(timer);
    connection.unsubscribe(`${prefix}/data/${fmt}`, onData);
    connection.unsubscribe(`${prefix}/rejected/${fmt}`, onRejected);
  };
  const finish = (error?: Error) => {
    if (over) return;
    stop();
    done(error);
  };

  /** Asks for the missing blocks of the current window and arms the retry timer. */
  const request = () => {
    if (over) return;
    while (windowStart < blocks && have[windowStart]) windowStart++;
    if (windowStart >= blocks) return finish();
    const n = Math.min(perRequest, blocks - windowStart);
    const bitmap = new Uint8Array(Math.ceil(n / 8));
    for (let j = 0; j < n; j++) if (!have[windowStart + j]) bitmap[j >> 3] = bitmap[j >> 3]! | (1 << (j & 7));
    connection.publish(`${prefix}/get/${fmt}`, codec.encode({ c: token, f: fileId, l: blockSize, o: windowStart, n, b: fmt === 'cbor' ? bitmap : base64Encode(bitmap) }), { qos: 0 });
    gotSince = false;
    if (timer !== undefined) options.timer.clearTimeout(timer);
    timer = options.timer.setTimeout(onQuiet, retryMs);
  };

  const onQuiet = () => {
    timer = undefined;
    if (over) return;
    quiet = gotSince ? 0 : quiet + 1;
    if (quiet >= retries) return finish(new Error(`stream ${options.stream}: no new block after ${retries} requests (have ${received} of ${blocks})`));
    request();
  };

  const onData = (message: Message) => {
    if (over) return;
    let block: { c?: string; f?: number; l?: number; i?: number; p?: unknown };
    let bytes: Uint8Array;
    try {
      block = codec.decode(message.payload) as typeof block;
      if (block.c !== undefined && block.c !== token) return; // another download's block
      if (fmt === 'json') bytes = base64Decode(String(block.p));
      else if (block.p instanceof Uint8Array) bytes = block.p;
      else throw new Error('payload is not a byte string');
    } catch (error) {
      return finish(new Error(`stream ${options.stream}: malformed data block (${(error as Error).message})`));
    }
    const id = block.i;
    if (typeof id !== 'number' || id < 0 || id >= blocks || id % 1 !== 0) return finish(new Error(`stream ${options.stream}: block id ${String(id)} is outside the file's ${blocks} blocks`));
    const expected = id === blocks - 1 ? size - id * blockSize : blockSize;
    if (bytes.length !== expected) return finish(new Error(`stream ${options.stream}: block ${id} has ${bytes.length} bytes, ${expected} expected`));
    if (have[id]) return;
    try {
      onBlock(id * blockSize, bytes);
    } catch (error) {
      return finish(error as Error);
    }
    have[id] = 1;
    received++;
    gotSince = true;
    quiet = 0;
    if (options.onProgress) options.onProgress(Math.min(size, received * blockSize), size);
    // The window is complete: on to the next one at once.
    let complete = true;
    for (let j = windowStart; j < Math.min(blocks, windowStart + perRequest); j++) if (!have[j]) complete = false;
    if (complete) request();
  };

  const onRejected = (message: Message) => {
    let document: { c?: string; o?: string; m?: string };
    try {
      document = codec.decode(message.payload) as typeof document;
    } catch (_) {
      return;
    }
    if (document.c !== undefined && document.c !== token) return;
    finish(serviceError(`stream ${options.stream}: ${document.m || 'rejected'}`, document.o || 'Rejected', document));
  };

  if (!(size > 0) || !(blockSize >= 256 && blockSize <= 131072)) {
    finish(new Error(`download: size must be positive and blockSize 256..131072 (got ${size}, ${blockSize})`));
    return () => undefined;
  }
  let subscribed = 0;
  const ready = (error?: Error) => {
    if (error) return finish(error);
    if (++subscribed === 2) request();
  };
  connection.subscribe(`${prefix}/data/${fmt}`, onData, { qos: 0 }, ready);
  connection.subscribe(`${prefix}/rejected/${fmt}`, onRejected, { qos: 0 }, ready);
  return () => {
    if (!over) stop();
  };
}
