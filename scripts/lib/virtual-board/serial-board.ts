/**
 * A virtual Espruino board on a pseudo-terminal: what a user or `mote deploy`/`mote monitor`
 * opens as the board's USB serial port is one end of a socat pty pair; the board holds the other
 * and runs Espruino's console (EspruinoConsole) over a live EspruinoDevice (real time, sockets
 * bridged to the host's TCP, a VirtualBoard for pins and I2C, Storage that outlives reset() and
 * load()). A SYNC request takes it into the ROM bootloader (download-mode.ts), so `mote flash`
 * works against it; it boots Espruino again, with its Storage, when the ROM leaves. Host-side code.
 */
import type { BoardSpec } from '../../../firmware/hal/sim/board.js';
import { EspruinoConsole } from '../../../firmware/host/espruino/console.js';
import { EspruinoDevice } from '../../../firmware/host/espruino/device.js';
import { DownloadMode } from './download-mode.js';
import { openBoardPort, type BoardPort } from './pty-port.js';

export interface SerialBoardOptions {
  board?: BoardSpec;
  /** Storage files at power-up (binary strings); `.bootcde` runs at once, as on the device. */
  storage?: Record<string, string>;
  /** Each line the program prints. */
  onLine?: (line: string) => void;
}

export class SerialBoard {
  /** The running Espruino (a new one after the board leaves download mode). */
  device: EspruinoDevice;
  private readonly console: EspruinoConsole;
  private readonly download: DownloadMode;

  private constructor(
    private readonly port: BoardPort,
    private readonly options: SerialBoardOptions,
  ) {
    this.console = new EspruinoConsole((bytes) => port.write(Buffer.from(bytes, 'latin1')));
    this.download = new DownloadMode({
      write: (bytes) => port.write(bytes),
      drain: () => port.drain(),
      enter: () => this.device.stop(),
      leave: () => (this.device = this.boot(this.device.storage())),
    });
    this.device = this.boot(options.storage);
    port.port.on('data', (chunk: Buffer) => {
      const forApp = this.download.receive(chunk);
      if (forApp.length > 0) this.console.receive(forApp.toString('latin1'));
    });
  }

  static async start(options: SerialBoardOptions = {}): Promise<SerialBoard> {
    return new SerialBoard(await openBoardPort(), options);
  }

  /** The port to open: the board's USB serial port. */
  get path(): string {
    return this.port.path;
  }

  /** 'app': Espruino's console; 'download': the ROM bootloader. */
  get mode(): 'app' | 'download' {
    return this.download.active ? 'download' : 'app';
  }

  /** The ROM's view of the chip: its flash, as `mote flash` left it. */
  get rom() {
    return this.download.rom;
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
    this.device.stop();
    await this.port.close();
  }
}
