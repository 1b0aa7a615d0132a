/**
 * The live half of the simulated Moddable device, inside XS (see ../live-device.ts): the
 * device's timers run in real time, as the host tells the time, and Moddable's `socket` module is
 * bridged to real TCP connections the host makes.
 *
 * Host → guest, through xsnap's `handleCommand` (JSON): `{ t: 'tick', now }` runs the timers due
 * by `now`; `{ t: 'socket', id, event, data?, now }` delivers a socket event first. The reply
 * (JSON): `{ next, lines, pins }`: when the next timer is due, console lines and pin changes since
 * the last reply. Guest → host, through `issueCommand`: `{ t: 'connect' | 'write' | 'close', id,
 * host?, port?, data? }`; data are binary strings (one character per byte).
 */
import { currentDevice } from '../../../hal/sim/device.js';
import { bootPartitions } from './ota.js';

export * from './guest.js';

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;
/** Set by the module loader (../modules.ts): xsnap calls the start compartment's handleCommand. */
declare function __moteSetHandleCommand(fn: (message: ArrayBuffer) => ArrayBuffer): void;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toHost(message: object): void {
  issueCommand(encoder.encode(JSON.stringify(message)).buffer as ArrayBuffer);
}

function binary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

const sockets: { [id: number]: LiveSocket } = {};
let nextSocket = 1;

/** Moddable's `socket` Socket, over a host TCP connection: callback(1) connected, (2, n) data, (-1) closed, (-2) error. */
export class LiveSocket {
  callback: (message: number, value?: number) => void = () => {};
  private readonly id = nextSocket++;
  private received: number[] = [];

  constructor(options: { host: string; port: number }) {
    sockets[this.id] = this;
    toHost({ t: 'connect', id: this.id, host: options.host, port: options.port });
  }

  read(_type: typeof ArrayBuffer): ArrayBuffer {
    const bytes = new Uint8Array(this.received);
    this.received = [];
    return bytes.buffer;
  }

  write(data: ArrayBuffer): void {
    toHost({ t: 'write', id: this.id, data: binary(new Uint8Array(data)) });
  }

  close(): void {
    delete sockets[this.id];
    toHost({ t: 'close', id: this.id });
  }

  /** @internal a host event */
  deliver(event: string, data?: string): void {
    if (event === 'connect') this.callback(1);
    else if (event === 'data' && data !== undefined) {
      for (let i = 0; i < data.length; i++) this.received.push(data.charCodeAt(i) & 255);
      this.callback(2, data.length);
    } else if (event === 'close' || event === 'error') {
      delete sockets[this.id];
      this.callback(event === 'close' ? -1 : -2);
    }
  }
}

/** Puts `flash` (name → binary string) into the device's flash, then runs the bootloader over it, before the app starts. */
export function seedFlash(flash: { [name: string]: string }): void {
  const target = currentDevice().flash;
  for (const name in flash) {
    const text = flash[name]!;
    const bytes = new Uint8Array(text.length);
    // Iterated, not indexed: XS keeps strings as UTF-8, where charCodeAt(i) walks from the start,
    // so indexing a 64 KiB app slot with bytes above 0x7F took tens of seconds.
    let i = 0;
    for (const c of text) bytes[i++] = c.charCodeAt(0) & 255;
    target[name] = bytes;
  }
  // setup() ran it over an empty flash: the slot that boots is the one this flash's otadata names.
  bootPartitions();
}

let linesSent = 0;
let pinsSent = 0;

function report(error?: string, extra: object = {}): ArrayBuffer {
  const device = currentDevice();
  const lines = device.output.slice(linesSent);
  const pins = device.board.changes.slice(pinsSent);
  linesSent = device.output.length;
  pinsSent = device.board.changes.length;
  const next = device.time.nextDue;
  const reply = { next: next === undefined ? null : next, lines, pins, ...extra, ...(error === undefined ? {} : { error }) };
  return encoder.encode(JSON.stringify(reply)).buffer as ArrayBuffer;
}

/** The device's flash as binary strings (name → bytes), for a host that boots it again. */
function flashImage(): { [name: string]: string } {
  const flash = currentDevice().flash;
  const out: { [name: string]: string } = {};
  for (const name in flash) out[name] = binary(flash[name]!);
  return out;
}

/** Installs the command handler the host drives the device with. */
export function goLive(): void {
  __moteSetHandleCommand((message) => {
    const command = JSON.parse(decoder.decode(new Uint8Array(message))) as { t: string; now: number; id?: number; event?: string; data?: string };
    if (command.t === 'flash') return report(undefined, { flash: flashImage() });
    // An exception in the app's callbacks is reported with the lines printed before it; the
    // device goes on with its other timers, as Espruino does.
    try {
      const time = currentDevice().time;
      if (command.now > time.now) time.runUntil(command.now);
      if (command.t === 'socket') {
        const socket = sockets[command.id!];
        if (socket) socket.deliver(command.event!, command.data);
      }
    } catch (error) {
      return report(String(error));
    }
    return report();
  });
}
