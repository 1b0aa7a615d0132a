/**
 * A virtual Espruino board on a pseudo-terminal: what a user or `mote deploy`/`mote monitor`
 * opens as the board's USB serial port is one end of a socat pty pair; the board holds the other
 * and runs Espruino's console (EspruinoConsole) over a live EspruinoDevice (real time, sockets
 * bridged to the host's TCP, a VirtualBoard for pins and I2C, Storage that outlives reset() and
 * load()).
 *
 * Download mode: a pty carries no DTR/RTS, so no reset sequence can reach the board. It enters the
 * ROM bootloader when a SYNC request arrives while the app runs (as if BOOT were held through a
 * reset): the app stops and the simulated ROM (../esp-rom/sim/rom.ts) answers the protocol, flash
 * in memory, so `mote flash` works against it. When the ROM leaves download mode (FLASH_END asking
 * to run the app), the board boots Espruino again, with its Storage. Host-side code.
 */
import { SerialPort } from 'serialport';
import type { BoardSpec } from '../../../firmware/hal/sim/board.js';
import { EspruinoConsole } from '../../../firmware/host/espruino/console.js';
import { EspruinoDevice } from '../../../firmware/host/espruino/device.js';
import { chipById } from '../esp-chip/index.js';
import { decodeRequest } from '../esp-rom/packet.js';
import { openPtyPair, type PtyPair } from '../esp-rom/sim/pty.js';
import { SimulatedRom } from '../esp-rom/sim/rom.js';
import { SlipDecoder, slipEncode } from '../esp-rom/slip.js';

/** The start of a SLIP-framed SYNC request: END, direction 0x00, op 0x08. */
const SYNC_FRAME = '\xc0\x00\x08';

export interface SerialBoardOptions {
  board?: BoardSpec;
  /** Storage files at power-up (binary strings); `.bootcde` runs at once, as on the device. */
  storage?: Record<string, string>;
  /** Each line the program prints. */
  onLine?: (line: string) => void;
}

export class SerialBoard {
  /** 'app': Espruino's console; 'download': the ROM bootloader. */
  mode: 'app' | 'download' = 'app';
  /** The ROM's view of the chip: its flash, as `mote flash` left it. */
  readonly rom = new SimulatedRom({ chip: chipById('esp32') });
  private work: Promise<void> = Promise.resolve();
  private tail = '';

  private constructor(
    /** The port to open: the board's USB serial port. */
    readonly path: string,
    /** The running Espruino (a new one after the board leaves download mode). */
    public device: EspruinoDevice,
    private readonly pair: PtyPair,
    private readonly port: SerialPort,
  ) {}

  static async start(options: SerialBoardOptions = {}): Promise<SerialBoard> {
    const pair = await openPtyPair();
    const port = new SerialPort({ path: pair.device, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    const console = new EspruinoConsole((bytes) => port.write(Buffer.from(bytes, 'latin1')));
    const device = new EspruinoDevice({
      board: options.board ?? {},
      storage: options.storage,
      onLine: (line) => {
        console.line(line);
        options.onLine?.(line);
      },
      onRestart: () => console.restarted(),
    });
    const board = new SerialBoard(pair.host, device, pair, port);
    const decoder = new SlipDecoder({ frame: (packet) => (board.work = board.work.then(() => board.answer(packet))) });
    port.on('data', (chunk: Buffer) => {
      if (board.mode === 'download') return decoder.push(chunk);
      const text = chunk.toString('latin1');
      const seen = board.tail + text;
      const at = seen.indexOf(SYNC_FRAME);
      if (at < 0) {
        board.tail = seen.slice(-2);
        console.receive(text);
        return;
      }
      // A SYNC: into the bootloader; the frame and what follows go to the ROM.
      board.tail = '';
      board.mode = 'download';
      device.stop();
      board.rom.reset();
      decoder.push(Buffer.from(seen.slice(at), 'latin1'));
    });
    console.attach(device);
    if (options.storage?.['.bootcde'] !== undefined) device.boot();
    board.options = options;
    board.console = console;
    return board;
  }

  private options: SerialBoardOptions = {};
  private console: EspruinoConsole | undefined;

  /** One ROM request: its replies, and back to the app when the ROM leaves. */
  private async answer(packet: Buffer): Promise<void> {
    if (this.mode !== 'download') return;
    const request = decodeRequest(packet);
    if (typeof request === 'string') return;
    const result = await this.rom.handle(request);
    for (const reply of result.replies) this.port.write(slipEncode(reply));
    if (result.leave) {
      await new Promise<void>((resolve) => this.port.drain(() => resolve()));
      this.mode = 'app';
      this.device = this.restartDevice();
    }
  }

  /** Espruino boots again after the bootloader, with the Storage it had. */
  private restartDevice(): EspruinoDevice {
    const storage = this.device.storage();
    const console = this.console!;
    const device = new EspruinoDevice({
      board: this.options.board ?? {},
      storage,
      onLine: (line) => {
        console.line(line);
        this.options.onLine?.(line);
      },
      onRestart: () => console.restarted(),
    });
    console.attach(device);
    if (storage['.bootcde'] !== undefined) device.boot();
    return device;
  }

  async stop(): Promise<void> {
    this.device.stop();
    await new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
    await this.pair.close();
  }
}
