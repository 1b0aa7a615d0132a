/**
 * Commands to the ROM loader over a Transport: each request is SLIP-framed; replies are read (skipping up to
 * 100 packets of other ops, and any text outside frames) until one with the request's op arrives, then its
 * status bytes are checked.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FlashError } from './errors.js';
import { ROM_STATUS_BYTES, RomErrorCode, type Response, decodeResponse, encodeRequest, opNames, romErrorNames } from './packet.js';
import { SlipDecoder, slipEncode } from './slip.js';
import type { Transport } from './transport.js';

export const DEFAULT_TIMEOUT_MS = 3000;
const MAX_SKIPPED_PACKETS = 100;

export interface CommandOptions {
  checksum?: number;
  timeoutMs?: number;
}

/** A reply whose status says the ROM failed the command. */
export class RomCommandError extends FlashError {
  constructor(
    readonly op: number,
    readonly code: number,
  ) {
    super('rom-error', `${opNames[op] ?? `command 0x${op.toString(16)}`} failed: ROM error 0x${code.toString(16).padStart(2, '0')} (${romErrorNames[code] ?? 'unknown error'})`);
  }
}

export class RomClient {
  private readonly packets: Buffer[] = [];
  private wake: (() => void) | undefined;
  private text = '';
  /** Bytes received so far (to tell a quiet line). */
  private received = 0;
  private readonly unsubscribe: () => void;

  constructor(readonly transport: Transport) {
    const decoder = new SlipDecoder({
      frame: (packet) => {
        this.packets.push(packet);
        this.wake?.();
      },
      noise: (bytes) => {
        // Keep the tail of what the chip printed (boot banners), for diagnosing a failed connection.
        this.text = (this.text + bytes.toString('latin1')).slice(-4096);
      },
    });
    this.unsubscribe = transport.onData((bytes) => {
      this.received += bytes.length;
      decoder.push(bytes);
    });
  }

  /** Text the chip printed outside frames since the last `takeText`. */
  takeText(): string {
    const text = this.text;
    this.text = '';
    return text;
  }

  /** Drops everything received so far. */
  flushInput(): void {
    this.packets.length = 0;
  }

  /** Drops what arrives until the line has been quiet for `quietMs` (at most `maxMs`): repeated replies in flight. */
  async drain(quietMs = 30, maxMs = 1000): Promise<void> {
    const until = Date.now() + maxMs;
    let last = -1;
    while (Date.now() < until) {
      this.flushInput();
      if (this.received === last) return;
      last = this.received;
      await sleep(quietMs);
    }
  }

  /** Sends a command and returns its reply; the reply's data keeps its status bytes. Throws FlashError. */
  async command(op: number, data: Uint8Array, options: CommandOptions = {}): Promise<Response> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.flushInput();
    await this.transport.write(slipEncode(encodeRequest(op, data, options.checksum ?? 0)));
    const deadline = Date.now() + timeoutMs;
    let skipped = 0;
    for (;;) {
      const packet = this.packets.shift();
      if (packet === undefined) {
        const left = deadline - Date.now();
        if (left <= 0) throw new FlashError('timeout', `no reply to ${opNames[op] ?? op} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      const response = decodeResponse(packet);
      if (response !== undefined && response.op !== op && response.data.length >= 2 && response.data[0] !== 0 && response.data[1] === RomErrorCode.INVALID_MESSAGE) {
        // The ROM answers a command it does not have with error 0x05 under another op, several times over.
        await this.drain();
        throw new RomCommandError(op, RomErrorCode.INVALID_MESSAGE);
      }
      if (response === undefined || response.op !== op) {
        if (++skipped > MAX_SKIPPED_PACKETS) throw new FlashError('bad-reply', `no reply to ${opNames[op] ?? op} among ${MAX_SKIPPED_PACKETS} packets`);
        continue;
      }
      if (response.data.length < ROM_STATUS_BYTES) throw new FlashError('bad-reply', `reply to ${opNames[op]} is too short for its status bytes`);
      const status = response.data.subarray(response.data.length - ROM_STATUS_BYTES);
      if (status[0] !== 0) throw new RomCommandError(op, status[1]);
      return { ...response, data: response.data.subarray(0, response.data.length - ROM_STATUS_BYTES) };
    }
  }

  /** `command`, tried again on a timeout or a reply that cannot be read (for commands that are safe to repeat). */
  async retried(op: number, data: Uint8Array, options: CommandOptions & { attempts?: number } = {}): Promise<Response> {
    const attempts = options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.command(op, data, options);
      } catch (error) {
        // A corrupted reply can look like a failed status; repeating a safe command tells the two apart.
        const unsupported = error instanceof RomCommandError && error.code === RomErrorCode.INVALID_MESSAGE;
        const retryable = error instanceof FlashError && !unsupported && (error.kind === 'timeout' || error.kind === 'bad-reply' || error.kind === 'rom-error');
        if (!retryable || attempt >= attempts) throw error;
        await sleep(10);
      }
    }
  }

  close(): void {
    this.unsubscribe();
  }
}
