/**
 * Stream and message buffers (stream_buffer.c): bytes from one writer task to one reader task.
 * - A reader blocked on an empty buffer wakes once `triggerLevel` bytes are there (0 means 1);
 *   a read that times out returns whatever is there (possibly nothing).
 * - A stream send blocks until all its bytes fit (more bytes than the buffer holds: until it is
 *   empty), then writes what fits when time runs out.
 * - Message buffers keep message boundaries: each message is stored behind a 4-byte length, is
 *   written whole or not at all, and is read whole (a read whose `maxLength` is too small
 *   returns nothing and leaves the message).
 * - Blocking uses the tasks' notification index 0, as FreeRTOS does.
 */
import type { Kernel } from './kernel.js';
import { notify, notifyFromISR, notifyStateClear, notifyWait } from './notify.js';
import { type Op, type Task, Token } from './task.js';
import { rangeError } from './errors.js';

const LENGTH_BYTES = 4;

export class StreamBuffer {
  private readonly bytes: Uint8Array;
  private head = 0;
  private used = 0;
  private waitingToSend: Task | null = null;
  private waitingToReceive: Task | null = null;
  private readonly lengthBytes: number;

  constructor(
    readonly kernel: Kernel,
    /** Capacity in bytes. */
    readonly size: number,
    private triggerLevel = 1,
    readonly name = 'stream buffer',
    isMessageBuffer = false,
  ) {
    if (size !== Math.floor(size) || size < 1) throw rangeError(`${name}: size must be a whole number of bytes above 0, got ${size}`);
    this.lengthBytes = isMessageBuffer ? LENGTH_BYTES : 0;
    if (isMessageBuffer) this.triggerLevel = 1;
    else this.checkTrigger(triggerLevel);
    if (this.triggerLevel === 0) this.triggerLevel = 1;
    this.bytes = new Uint8Array(size);
  }

  private checkTrigger(level: number): void {
    if (level !== Math.floor(level) || level < 0 || level > this.size) {
      throw rangeError(`${this.name}: trigger level must be 0..${this.size}, got ${level}`);
    }
  }

  /** xStreamBufferBytesAvailable. */
  bytesAvailable(): number {
    return this.used;
  }

  /** xStreamBufferSpacesAvailable. */
  spacesAvailable(): number {
    return this.size - this.used;
  }

  isEmpty(): boolean {
    return this.used === 0;
  }

  isFull(): boolean {
    return this.spacesAvailable() <= this.lengthBytes;
  }

  /** xStreamBufferSetTriggerLevel: false if above the size. */
  setTriggerLevel(level: number): boolean {
    if (level > this.size) return false;
    this.triggerLevel = level === 0 ? 1 : level;
    return true;
  }

  /** xStreamBufferReset: only while no task waits on it. */
  reset(): boolean {
    if (this.waitingToSend !== null || this.waitingToReceive !== null) return false;
    this.head = 0;
    this.used = 0;
    return true;
  }

  private put(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.bytes[(this.head + this.used + i) % this.size] = data[i];
    this.used += data.length;
  }

  protected peekBytes(count: number, skip: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = this.bytes[(this.head + skip + i) % this.size];
    return out;
  }

  private drop(count: number): void {
    this.head = (this.head + count) % this.size;
    this.used -= count;
  }

  /** prvWriteMessageToBuffer: bytes written (a message whole or not at all). */
  private write(data: Uint8Array): number {
    const space = this.spacesAvailable();
    if (this.lengthBytes === 0) {
      const n = Math.min(data.length, space);
      this.put(n === data.length ? data : data.subarray(0, n));
      return n;
    }
    if (space < data.length + LENGTH_BYTES) return 0;
    const n = data.length;
    this.put(new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]));
    this.put(data);
    return n;
  }

  /** prvReadMessageFromBuffer. */
  private read(maxLength: number): Uint8Array {
    if (this.lengthBytes === 0) {
      const out = this.peekBytes(Math.min(maxLength, this.used), 0);
      this.drop(out.length);
      return out;
    }
    const h = this.peekBytes(LENGTH_BYTES, 0);
    const n = (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0;
    if (n > maxLength) return new Uint8Array(0);
    const out = this.peekBytes(n, LENGTH_BYTES);
    this.drop(LENGTH_BYTES + n);
    return out;
  }

  private checkData(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError(`${this.name}: data must be a Uint8Array`);
    if (this.lengthBytes > 0 && data.length + LENGTH_BYTES > this.size) {
      throw rangeError(`${this.name}: a ${data.length}-byte message can never fit in ${this.size} bytes`);
    }
  }

  /** xStreamBufferSend / xMessageBufferSend: returns the number of bytes written. */
  *send(data: Uint8Array, ticksToWait = 0): Op<number> {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    this.checkData(data);
    // A stream buffer may write part of the data, so a send longer than the whole buffer waits
    // only until the buffer is empty (xStreamBufferSend caps xRequiredSpace at the buffer size).
    const required = this.lengthBytes > 0 ? data.length + this.lengthBytes : Math.min(data.length, this.size);
    if (ticksToWait !== 0) {
      const timeOut = k.timeOut(ticksToWait);
      do {
        if (this.spacesAvailable() >= required) break;
        notifyStateClear(k, k.current as Task);
        if (this.waitingToSend !== null) throw new Error(`${this.name}: a second task is waiting to send (one writer only)`);
        this.waitingToSend = k.current;
        yield* notifyWait(k, 0, 0, timeOut.ticks);
        this.waitingToSend = null;
      } while (!k.checkForTimeOut(timeOut));
    }
    const written = this.write(data);
    if (written > 0 && this.used >= this.triggerLevel && this.waitingToReceive !== null) {
      const reader = this.waitingToReceive;
      this.waitingToReceive = null;
      yield* notify(k, reader, 0, 'none');
    }
    return written;
  }

  /** xStreamBufferSendFromISR. */
  sendFromISR(data: Uint8Array): number {
    this.checkData(data);
    const written = this.write(data);
    if (written > 0 && this.used >= this.triggerLevel && this.waitingToReceive !== null) {
      const reader = this.waitingToReceive;
      this.waitingToReceive = null;
      notifyFromISR(this.kernel, reader, 0, 'none');
    }
    return written;
  }

  /**
   * xStreamBufferReceive / xMessageBufferReceive: up to `maxLength` bytes (a stream) or one whole
   * message; an empty array when nothing came in time.
   */
  *receive(maxLength: number, ticksToWait = 0): Op<Uint8Array> {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    if (ticksToWait !== 0 && this.used <= this.lengthBytes) {
      notifyStateClear(k, k.current as Task);
      if (this.waitingToReceive !== null) throw new Error(`${this.name}: a second task is waiting to receive (one reader only)`);
      this.waitingToReceive = k.current;
      yield* notifyWait(k, 0, 0, ticksToWait);
      this.waitingToReceive = null;
    }
    if (this.used <= this.lengthBytes) return new Uint8Array(0);
    const out = this.read(maxLength);
    if (out.length > 0 && this.waitingToSend !== null) {
      const writer = this.waitingToSend;
      this.waitingToSend = null;
      yield* notify(k, writer, 0, 'none');
    }
    return out;
  }

  /** xStreamBufferReceiveFromISR. */
  receiveFromISR(maxLength: number): Uint8Array {
    if (this.used <= this.lengthBytes) return new Uint8Array(0);
    const out = this.read(maxLength);
    if (out.length > 0 && this.waitingToSend !== null) {
      const writer = this.waitingToSend;
      this.waitingToSend = null;
      notifyFromISR(this.kernel, writer, 0, 'none');
    }
    return out;
  }
}

/** xMessageBufferCreate: a stream buffer that keeps message boundaries. */
export class MessageBuffer extends StreamBuffer {
  constructor(kernel: Kernel, size: number, name = 'message buffer') {
    super(kernel, size, 1, name, true);
  }

  /** xMessageBufferNextLengthBytes: the length of the next message, 0 if none. */
  nextLength(): number {
    if (this.isEmpty()) return 0;
    const h = this.peekBytes(LENGTH_BYTES, 0);
    return (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0;
  }
}
