/**
 * A virtual Espruino board on a pseudo-terminal: what a user or `mote deploy`/`mote monitor`
 * opens as the board's USB serial port is one end of a socat pty pair; the board holds the other
 * and runs Espruino's console (EspruinoConsole) over a live EspruinoDevice (real time, sockets
 * bridged to the host's TCP, a VirtualBoard for pins and I2C, Storage that outlives reset() and
 * load()). Host-side code.
 */
import { SerialPort } from 'serialport';
import type { BoardSpec } from '../../../firmware/hal/sim/board.js';
import { EspruinoConsole } from '../../../firmware/host/espruino/console.js';
import { EspruinoDevice } from '../../../firmware/host/espruino/device.js';
import { openPtyPair, type PtyPair } from '../esp-rom/sim/pty.js';

export interface SerialBoardOptions {
  board?: BoardSpec;
  /** Storage files at power-up (binary strings); `.bootcde` runs at once, as on the device. */
  storage?: Record<string, string>;
  /** Each line the program prints. */
  onLine?: (line: string) => void;
}

export class SerialBoard {
  private constructor(
    /** The port to open: the board's USB serial port. */
    readonly path: string,
    readonly device: EspruinoDevice,
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
    port.on('data', (chunk: Buffer) => console.receive(chunk.toString('latin1')));
    console.attach(device);
    if (options.storage?.['.bootcde'] !== undefined) device.boot();
    return new SerialBoard(pair.host, device, pair, port);
  }

  async stop(): Promise<void> {
    this.device.stop();
    await new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
    await this.pair.close();
  }
}
