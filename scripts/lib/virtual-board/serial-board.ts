/**
 * A virtual Espruino board on a pseudo-terminal: what a user or `mote deploy`/`mote monitor`
 * opens as the board's USB serial port is one end of a socat pty pair; the board holds the other
 * and runs Espruino's console (EspruinoConsole) over a live EspruinoDevice (real time, sockets
 * bridged to the host's TCP, a VirtualBoard for pins and I2C, Storage that outlives reset() and
 * load()). A SYNC request takes it into the ROM bootloader (pty-board.ts), so `mote flash` works
 * against it; it boots Espruino again, with its Storage, when the ROM leaves. Host-side code.
 */
import type { BoardSpec } from '../../../firmware/hal/sim/board.js';
import { EspruinoConsole } from '../../../firmware/host/espruino/console.js';
import { EspruinoDevice } from '../../../firmware/host/espruino/device.js';
import type { SerialPort } from 'serialport';
import type { PtyPair } from '../esp-rom/sim/pty.js';
import { PtyBoard } from './pty-board.js';

export interface SerialBoardOptions {
  board?: BoardSpec;
  /** Storage files at power-up (binary strings); `.bootcde` runs at once, as on the device. */
  storage?: Record<string, string>;
  /** Each line the program prints. */
  onLine?: (line: string) => void;
}

export class SerialBoard extends PtyBoard {
  /** The running Espruino (a new one after the board leaves download mode). */
  device: EspruinoDevice;
  private readonly console: EspruinoConsole;

  private constructor(
    pair: PtyPair,
    port: SerialPort,
    private readonly options: SerialBoardOptions,
  ) {
    super(pair, port);
    this.console = new EspruinoConsole((bytes) => this.write(Buffer.from(bytes, 'latin1')));
    this.device = this.boot(options.storage);
  }

  static async start(options: SerialBoardOptions = {}): Promise<SerialBoard> {
    const { pair, port } = await PtyBoard.openPort();
    return new SerialBoard(pair, port, options);
  }

  protected receive(bytes: Buffer): void {
    this.console.receive(bytes.toString('latin1'));
  }

  protected enterDownload(): void {
    this.device.stop();
  }

  protected leaveDownload(): void {
    this.device = this.boot(this.device.storage());
  }

  /** Espruino with `storage`, booting `.bootcde` when there is one. */
  private boot(storage: Record<string, string> | undefined): EspruinoDevice {
    const device = new EspruinoDevice({
      board: this.options.board ?? {},
      storage,
      onLine: (line) => {
        this.console.line(line);
        this.options.onLine?.(line);
      },
      onRestart: () => this.console.restarted(),
    });
    this.console.attach(device);
    if (storage?.['.bootcde'] !== undefined) device.boot();
    return device;
  }

  async stop(): Promise<void> {
    // The port first: a byte arriving after the device stopped would reach a stopped console.
    await this.closePort();
    this.device.stop();
  }
}
