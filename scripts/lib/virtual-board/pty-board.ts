/**
 * What every virtual board on a pseudo-terminal shares: its USB serial port (one end of a socat pty
 * pair, which the board opens with serialport; the other end is what users and tools open) and its
 * way into the ROM bootloader (download-mode.ts). Each engine's board says what stops and boots
 * again around download mode, and takes the bytes the ROM does not. Host-side code.
 */
import { SerialPort } from 'serialport';
import { openPtyPair, type PtyPair } from '../esp-rom/sim/pty.js';
import { DownloadMode } from './download-mode.js';

export abstract class PtyBoard {
  protected readonly download: DownloadMode;

  protected constructor(
    private readonly pair: PtyPair,
    /** The board's end of the pty. */
    protected readonly port: SerialPort,
  ) {
    this.download = new DownloadMode({
      write: (bytes) => this.write(bytes),
      drain: () => new Promise<void>((resolve) => port.drain(() => resolve())),
      enter: () => this.enterDownload(),
      leave: () => this.leaveDownload(),
    });
    port.on('data', (chunk: Buffer) => {
      const forEngine = this.download.receive(chunk);
      if (forEngine.length > 0) this.receive(forEngine);
    });
  }

  /** Opens a pty pair and the board's end of it. */
  protected static async openPort(): Promise<{ pair: PtyPair; port: SerialPort }> {
    const pair = await openPtyPair();
    const port = new SerialPort({ path: pair.device, baudRate: 115200, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      await pair.close();
      throw error;
    }
    return { pair, port };
  }

  /** The port to open: the board's USB serial port. */
  get path(): string {
    return this.pair.host;
  }

  /** 'app': the engine; 'download': the ROM bootloader. */
  get mode(): 'app' | 'download' {
    return this.download.active ? 'download' : 'app';
  }

  /** The ROM's view of the chip: its flash, as `mote flash` left it. */
  get rom() {
    return this.download.rom;
  }

  protected write(bytes: Uint8Array): void {
    this.port.write(Buffer.from(bytes));
  }

  /** Bytes from the host for the engine (none reach it in download mode). */
  protected abstract receive(bytes: Buffer): void;
  /** A SYNC arrived: the engine stops. */
  protected abstract enterDownload(): void;
  /** The ROM left: the engine boots again. */
  protected abstract leaveDownload(): void;

  protected async closePort(): Promise<void> {
    await new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
    await this.pair.close();
  }
}
