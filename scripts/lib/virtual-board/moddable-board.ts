/**
 * A virtual Moddable board on a pseudo-terminal: the port it exposes speaks what a Moddable debug
 * build speaks over USB serial, the xsbug protocol (../xsbug/protocol.ts), so `mote deploy` installs
 * mods on it the way serial2xsbug installs them on a device, and `mote monitor` shows its trace.
 *
 * The board holds a mod partition (INSTALL_SPACE bytes) and preferences (the engine's flash, kept
 * across restarts). At each boot it prints the ROM's boot lines, announces a new XS machine with a
 * login, and runs the installed mod — a source archive (../xsbug/archive.ts), checked against its
 * SHA-256 first — on the real XS engine (XsDevice: live time, sockets bridged to the host's TCP, a
 * VirtualBoard for pins and I2C); every line the mod traces goes out as an xsbug `<log>`.
 *
 * Commands it answers: restart, uninstall, install (the first four bytes of the archive's root
 * atom type are written last, by the host's final 4-byte write at offset 4, so an interrupted
 * install never leaves a mod that looks whole), set preference (string or buffer), set time, and
 * install space. A pty carries no DTR/RTS, so a host that opens the port after boot cannot reset
 * the board to catch its login: the board announces itself again whenever a tag names a machine
 * other than its own. A SYNC request takes it into the ROM bootloader (pty-board.ts).
 * Host-side code.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BoardSpec } from '../../../firmware/hal/sim/board.js';
import { XsDevice } from '../../../firmware/host/xs/live-device.js';
import { ArchiveError, unpackSourceArchive } from '../xsbug/archive.js';
import {
  Command,
  HostStreamDecoder,
  PreferenceKind,
  encodeMessage,
  encodeReply,
  encodeTagLine,
  escapeXml,
  readU32,
  u32,
  type HostEvent,
} from '../xsbug/protocol.js';
import type { SerialPort } from 'serialport';
import type { PtyPair } from '../esp-rom/sim/pty.js';
import { PtyBoard } from './pty-board.js';

/** Bytes of the mod partition. */
export const INSTALL_SPACE = 1024 * 1024;
/** The install fragment size the board asks for. */
export const FRAGMENT_BYTES = 2048;
/** What the board's login says: `mote deploy` tells it from a real device by this. */
export const VIRTUAL_LOGIN = 'mote virtual board (XS, source mods)';

/** Result codes of refused commands. */
export const Refusal = { unsupported: -1, outOfSpace: -2, malformed: -3 } as const;

const ERASED = 0xff;

export interface ModdableBoardOptions {
  board?: BoardSpec;
  /** The engine's flash at power-up (`domain.key` → binary string), as XsDevice takes it. */
  flash?: Record<string, string>;
  /** A mod already installed at power-up (a source archive). */
  mod?: Uint8Array;
  /** Each line the mod traces. */
  onLine?: (line: string) => void;
}

export class ModdableBoard extends PtyBoard {
  /** The running mod, if one runs. */
  device: XsDevice | undefined;
  /** The XS machine of this boot (a new one at each boot). */
  machine = 0;
  readonly partition = new Uint8Array(INSTALL_SPACE).fill(ERASED);
  private flash: Record<string, string>;
  /** Preferences set by the host: the mod sees them from the next boot (installers restart it). */
  private pending: Record<string, string | undefined> = {};
  private readonly decoder: HostStreamDecoder;
  private work: Promise<void> = Promise.resolve();
  private runDir: string | undefined;
  private stopped = false;

  private constructor(
    pair: PtyPair,
    port: SerialPort,
    private readonly options: ModdableBoardOptions,
  ) {
    super(pair, port);
    this.flash = { ...options.flash };
    if (options.mod) this.partition.set(options.mod);
    this.decoder = new HostStreamDecoder((event) => this.serially(() => this.command(event)));
  }

  static async start(options: ModdableBoardOptions = {}): Promise<ModdableBoard> {
    const { pair, port } = await PtyBoard.openPort();
    const board = new ModdableBoard(pair, port, options);
    board.serially(() => board.boot());
    await board.work;
    return board;
  }

  protected receive(bytes: Buffer): void {
    this.decoder.push(bytes);
  }

  protected enterDownload(): void {
    this.serially(() => this.halt());
  }

  protected leaveDownload(): void {
    this.serially(() => this.boot());
  }

  /** The engine's flash now (`domain.key` → binary string). */
  async preferences(): Promise<Record<string, string>> {
    await this.work;
    if (this.device) this.flash = await this.device.flash();
    return withPending(this.flash, this.pending);
  }

  /** Presses EN: the mod stops and the board boots again (a new machine), keeping flash and mod. */
  restart(): Promise<void> {
    this.serially(() => this.reboot());
    return this.work;
  }

  private async reboot(): Promise<void> {
    await this.halt();
    this.send(encodeTagLine('close', this.machine));
    await this.boot();
  }

  /** Resolves once every command received so far has been handled. */
  settled(): Promise<void> {
    return this.work;
  }

  private serially(job: () => Promise<void> | void): void {
    this.work = this.work.then(job).catch((error: Error) => this.log(`board: ${error.message}`));
  }

  private send(bytes: Uint8Array): void {
    if (!this.stopped && !this.download.active) this.write(bytes);
  }

  /** One xsbug message from this boot's machine. */
  private message(xml: string): void {
    this.send(encodeTagLine('open', this.machine));
    this.send(encodeMessage(xml));
  }

  private log(line: string): void {
    this.message(`<log>${escapeXml(line)}\n</log>`);
    this.options.onLine?.(line);
  }

  private announce(): void {
    this.message(`<login name="main" value="${escapeXml(VIRTUAL_LOGIN)}"/>`);
  }

  private async boot(): Promise<void> {
    if (this.stopped) return;
    this.machine = (this.machine + 0x1f3) >>> 0 || 1;
    // What the ESP32's ROM prints at power-up: noise the host must read past.
    this.send(new TextEncoder().encode('ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n'));
    this.announce();
    this.flash = withPending(this.flash, this.pending);
    this.pending = {};
    const mod = this.installedMod();
    if (typeof mod === 'string') return this.log(mod);
    this.runDir = mkdtempSync(path.join(os.tmpdir(), 'mote-mod-'));
    for (const [file, bytes] of mod.files) {
      mkdirSync(path.dirname(path.join(this.runDir, file)), { recursive: true });
      writeFileSync(path.join(this.runDir, file), bytes);
    }
    this.log(`mod "${mod.name}" verified (${readU32(this.partition, 0)} bytes), starting`);
    try {
      this.device = await XsDevice.start(this.runDir, { board: this.options.board, flash: this.flash, onLine: (line) => this.log(line) });
    } catch (error) {
      this.log(`mod "${mod.name}" failed to start: ${(error as Error).message}`);
    }
  }

  /** The installed mod's files, or why none runs. */
  private installedMod(): ReturnType<typeof unpackSourceArchive> | string {
    const size = readU32(this.partition, 0);
    if (size === 0xffffffff) return 'no mod installed';
    if (size < 20 || size > INSTALL_SPACE) return `no mod: the partition holds no archive (its header says ${size} bytes)`;
    try {
      return unpackSourceArchive(this.partition.subarray(0, size));
    } catch (error) {
      if (error instanceof ArchiveError) return `mod refused: ${error.message}`;
      throw error;
    }
  }

  /** Stops the running mod, keeping its flash. */
  private async halt(): Promise<void> {
    const device = this.device;
    this.device = undefined;
    if (device) {
      this.flash = await device.flash();
      await device.stop();
    }
    if (this.runDir) rmSync(this.runDir, { recursive: true, force: true });
    this.runDir = undefined;
  }

  private async command(event: HostEvent): Promise<void> {
    if (event.machine !== this.machine) {
      // A host that missed this boot's login: say who is here.
      if (event.type === 'tag') this.announce();
      return;
    }
    if (event.type !== 'command') return;
    const reply = (code: number, data?: Uint8Array) => {
      if (event.id !== 0) this.send(encodeReply(this.machine, event.id, code, data));
    };
    switch (event.command) {
      case Command.restart:
        return this.reboot();
      case Command.uninstall:
        this.partition.fill(ERASED);
        return reply(0);
      case Command.install:
        return reply(this.install(event.payload));
      case Command.installSpace:
        return reply(0, Uint8Array.from([...u32(INSTALL_SPACE), ...u32(FRAGMENT_BYTES)]));
      case Command.setPreference:
        return reply(await this.setPreference(event.payload));
      case Command.setTime:
        return reply(0);
      default:
        return reply(Refusal.unsupported);
    }
  }

  /** Writes one fragment: `[offset u32, bytes…]`. */
  private install(payload: Uint8Array): number {
    if (payload.length < 4) return Refusal.malformed;
    const offset = readU32(payload, 0);
    const data = payload.subarray(4);
    if (offset + data.length > INSTALL_SPACE) return Refusal.outOfSpace;
    if (offset === 0) this.partition.fill(ERASED);
    // The archive's type ("XS_A", bytes 4..7) lands only with the host's last write: 4 bytes at 4.
    if (offset === 4 && data.length > 4) {
      this.partition.set(data.subarray(4), 8);
      return 0;
    }
    this.partition.set(data, offset);
    return 0;
  }

  /** `domain NUL key NUL kind value…`: a string or buffer value, stored in the engine's flash. */
  private async setPreference(payload: Uint8Array): Promise<number> {
    const first = payload.indexOf(0);
    const second = first < 0 ? -1 : payload.indexOf(0, first + 1);
    if (first <= 0 || second <= first + 1 || second + 1 >= payload.length) return Refusal.malformed;
    const kind = payload[second + 1];
    if (kind !== PreferenceKind.string && kind !== PreferenceKind.buffer) return Refusal.unsupported;
    const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);
    const name = `${text(payload.subarray(0, first))}.${text(payload.subarray(first + 1, second))}`;
    // The engine's flash notes a string's type beside it (firmware/host/xs/device/guest.ts).
    this.pending[name] = Buffer.from(payload.subarray(second + 2)).toString('latin1');
    this.pending[`#type:${name}`] = kind === PreferenceKind.string ? 's' : undefined;
    return 0;
  }

  async stop(): Promise<void> {
    await this.work;
    await this.halt();
    this.stopped = true;
    await this.closePort();
  }
}

function withPending(flash: Record<string, string>, pending: Record<string, string | undefined>): Record<string, string> {
  const out = { ...flash };
  for (const [name, value] of Object.entries(pending)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}
