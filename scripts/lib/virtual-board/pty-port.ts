/**
 * The USB serial port of a virtual board: one end of a socat pty pair, opened by the board with
 * serialport; the other end is what users and tools open. Host-side code.
 */
import { SerialPort } from 'serialport';
import { openPtyPair } from '../esp-rom/sim/pty.js';

export interface BoardPort {
  /** The path to open: the board's USB serial port. */
  readonly path: string;
  /** The board's end. */
  readonly port: SerialPort;
  write(bytes: Uint8Array): void;
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function openBoardPort(): Promise<BoardPort> {
  const pair = await openPtyPair();
  const port = new SerialPort({ path: pair.device, baudRate: 115200, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    await pair.close();
    throw error;
  }
  return {
    path: pair.host,
    port,
    write: (bytes) => void port.write(Buffer.from(bytes)),
    drain: () => new Promise<void>((resolve) => port.drain(() => resolve())),
    close: async () => {
      await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
      await pair.close();
    },
  };
}
