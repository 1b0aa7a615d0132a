/**
 * A simulated ESP chip behind a pseudo-terminal: the host opens `esp.path` with serialport like a USB serial
 * port and speaks the ROM protocol to it. The chip's end paces bytes at the current baud rate (wire.ts),
 * answers in download mode through SimulatedRom, prints boot banners, and injects faults (faults.ts).
 *
 * Modem lines: a pty has no DTR/RTS, so the host's reset sequence reaches the chip through `setLines`, which
 * the host's transport calls in tests (see LinesTap in ../transport.ts). The chip models the reset circuit:
 * - 'auto-reset' (a USB-UART bridge with the usual two transistors): EN is low while RTS is asserted and DTR
 *   is not; IO0 is low while DTR is asserted and RTS is not. EN rises EN_RISE_MS after its release (the RC
 *   delay that lets line-by-line sequences work) and the chip boots, into download mode if IO0 is low then.
 * - 'usb-serial-jtag' (the built-in USB controller; mote's model, inferred from esptool's sequence): the chip
 *   is held in reset while RTS is asserted and DTR is not; it boots into download mode when that reset came
 *   straight after a state with DTR asserted. (So the classic sequence boots the app.)
 * Without lines (the CLI over a bare pty) the chip starts in the boot mode given (`boot`), as if BOOT were
 * held at power-up.
 */
import { SerialPort } from 'serialport';
import type { Chip } from '../../esp-chip/index.js';
import { decodeRequest, opNames } from '../packet.js';
import { SlipDecoder, slipEncode } from '../slip.js';
import { type Fault, FaultPlan, corruptFirstDataByte, corruptLastByte, dropMiddleByte } from './faults.js';
import { openPtyPair, type PtyPair } from './pty.js';
import { SimulatedRom } from './rom.js';
import { Wire } from './wire.js';

export type ResetCircuit = 'auto-reset' | 'usb-serial-jtag';
export type ChipState = 'download' | 'app' | 'reset';

export interface SimulatedEspOptions {
  chip: Chip;
  flashSize?: number;
  flash?: Uint8Array;
  /** The mode the chip is in when the simulation starts (default 'app': it must be reset into download mode). */
  boot?: 'download' | 'app';
  circuit?: ResetCircuit;
  faults?: Fault[];
  /** Pace bytes at the baud rate (default true). */
  paced?: boolean;
  /** Never answer anything (a board whose ROM is not there: wrong port, dead chip). */
  mute?: boolean;
}

export const ROM_BAUD_RATE = 115200;
/** How long EN takes to rise after release through the auto-reset circuit's RC network (modelled). */
const EN_RISE_MS = 10;

export class SimulatedEsp {
  readonly rom: SimulatedRom;
  readonly faults: FaultPlan;
  /** What happened, for tests: resets, boots, baud changes. */
  readonly events: string[] = [];
  state: ChipState;
  baudRate = ROM_BAUD_RATE;
  private lines = { dtr: false, rts: false };
  private downloadArmed = false;
  private rising: NodeJS.Timeout | undefined;
  private readonly rx: Wire;
  private readonly tx: Wire;
  private readonly decoder: SlipDecoder;
  private work: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: SimulatedEspOptions,
    private readonly pty: PtyPair,
    private readonly port: SerialPort,
  ) {
    this.rom = new SimulatedRom(options);
    this.faults = new FaultPlan(options.faults);
    this.state = options.boot ?? 'app';
    const baud = () => (options.paced === false ? 0 : this.baudRate);
    this.rx = new Wire(baud);
    this.tx = new Wire(baud);
    this.decoder = new SlipDecoder({ frame: (packet) => (this.work = this.work.then(() => this.handle(packet))) });
    port.on('data', (chunk: Buffer) => {
      if (options.mute) return;
      void this.rx.send(chunk, (bytes) => {
        if (this.state === 'download') this.decoder.push(bytes);
      });
    });
  }

  static async start(options: SimulatedEspOptions): Promise<SimulatedEsp> {
    const pty = await openPtyPair();
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: pty.device, baudRate: ROM_BAUD_RATE }, (error) => (error ? reject(error) : resolve(p)));
    }).catch(async (error) => {
      await pty.close();
      throw error;
    });
    return new SimulatedEsp(options, pty, port);
  }

  /** The host end of the pty: what `mote flash --port` opens. */
  get path(): string {
    return this.pty.host;
  }

  /** The flash contents. */
  get flash(): Buffer {
    return this.rom.flash;
  }

  /** The host changed DTR and/or RTS (true = asserted = line low). */
  setLines(change: { dtr?: boolean; rts?: boolean }): void {
    const before = this.lines;
    const wasHeld = this.held();
    this.lines = { ...this.lines, ...change };
    const held = this.held();
    if (held && !wasHeld) {
      clearTimeout(this.rising);
      // USB-Serial/JTAG: download mode is latched when reset follows a state with DTR asserted.
      this.downloadArmed = before.dtr;
      this.state = 'reset';
      this.rom.reset();
      this.events.push('reset');
    } else if (!held && wasHeld) {
      if (this.options.circuit === 'usb-serial-jtag') {
        this.boot(this.downloadArmed ? 'download' : 'app');
      } else {
        // The capacitor on EN delays its rise: IO0 is sampled when EN gets high, a moment after RTS is released.
        this.rising = setTimeout(() => this.boot(this.lines.dtr && !this.lines.rts ? 'download' : 'app'), EN_RISE_MS);
      }
    }
  }

  /** Whether EN is held low (the chip in reset). */
  private held(): boolean {
    return this.lines.rts && !this.lines.dtr;
  }

  private boot(mode: 'download' | 'app'): void {
    this.state = mode;
    this.baudRate = ROM_BAUD_RATE;
    this.events.push(`boot ${mode}`);
    const banner =
      mode === 'download'
        ? 'rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n'
        : 'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nmote sim: app running\r\n';
    if (!this.options.mute) void this.tx.send(Buffer.from(banner, 'latin1'), (b) => this.port.write(b));
  }

  private async handle(packet: Buffer): Promise<void> {
    if (this.state !== 'download') return;
    const request = decodeRequest(packet);
    if (typeof request === 'string') {
      this.events.push(`bad request: ${request}`);
      return;
    }
    const hits = this.faults.next(request.op, opNames[request.op] ?? `op 0x${request.op.toString(16)}`);
    const has = (action: Fault['action']) => hits.find((f) => f.action === action);
    if (has('lose-request')) return;
    if (has('corrupt-request')) request.data = corruptLastByte(packet).subarray(8);
    const result = await this.rom.handle(request);
    if (has('lose-reply')) result.replies = [];
    const delay = has('slow-reply')?.delayMs ?? 0;
    // Repeated replies (SYNC, an unsupported command) leave back to back, as one burst.
    const frames = result.replies.map((reply, i) => {
      const packet = i === 0 && has('corrupt-reply') ? corruptFirstDataByte(reply) : reply;
      const frame = slipEncode(packet);
      return i === 0 && has('drop-reply-byte') ? dropMiddleByte(frame) : frame;
    });
    if (frames.length > 0) void this.tx.send(Buffer.concat(frames), (b) => this.port.write(b), delay);
    if (result.newBaudRate !== undefined) {
      const rate = result.newBaudRate;
      // The ROM replies at the old rate and switches once the reply is out.
      await this.tx.drain();
      this.baudRate = rate;
      this.events.push(`baud ${rate}`);
    }
    if (result.leave) {
      await this.tx.drain();
      this.boot('app');
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.rising);
    await this.work.catch(() => undefined);
    await new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
    this.rom.reset();
    await this.pty.close();
  }
}
