/**
 * The byte link to a chip: an interface, so the loader runs over serialport on a real port or a pty, and tests
 * can route the modem lines (which a pty lacks) to a simulated chip.
 */
import { SerialPort } from 'serialport';
import { FlashError } from './errors.js';

export interface Signals {
  /** true = asserted (line low): drives IO0 through the usual auto-reset circuit. */
  dtr: boolean;
  /** true = asserted (line low): drives EN (reset). */
  rts: boolean;
}

export interface Transport {
  readonly path: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Calls `listener` with every chunk received; returns a function that unsubscribes. */
  onData(listener: (bytes: Buffer) => void): () => void;
  /** Changes DTR and/or RTS; throws FlashError 'no-modem-lines' where the port has none (a pty). */
  setSignals(change: Partial<Signals>): Promise<void>;
  setBaudRate(rate: number): Promise<void>;
  close(): Promise<void>;
}

function openError(path: string, error: Error): FlashError {
  const text = error.message;
  if (/ENOENT|No such file/i.test(text)) return new FlashError('no-port', `no serial port at ${path} (see 'mote boards' for the connected ports)`);
  if (/EACCES|Permission denied/i.test(text)) {
    return new FlashError('permission-denied', `permission denied opening ${path}: add your user to the group owning it (Debian: sudo usermod -aG dialout $USER, then log in again)`);
  }
  if (/EBUSY|Resource busy|Cannot lock/i.test(text)) return new FlashError('port-busy', `${path} is in use by another program (a serial monitor?)`);
  return new FlashError('no-port', `cannot open ${path}: ${text}`);
}

/** Opens a serial port (or a pty) at `baudRate`. */
export async function openSerialTransport(path: string, baudRate: number): Promise<Transport> {
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p: SerialPort = new SerialPort({ path, baudRate, lock: true }, (error) => (error ? reject(openError(path, error)) : resolve(p)));
  });
  return serialPortTransport(port, path);
}

/** A transport over a port already open; `close` closes it unless `borrowed` (its owner will). */
export function serialPortTransport(port: SerialPort, path: string, borrowed = false): Transport {
  const signals: Signals = { dtr: false, rts: false };
  const listeners: ((bytes: Buffer) => void)[] = [];
  return {
    path,
    write: (bytes) =>
      new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes), (error) => (error ? reject(error) : port.drain((e) => (e ? reject(e) : resolve()))));
      }),
    onData(listener) {
      port.on('data', listener);
      listeners.push(listener);
      return () => port.off('data', listener);
    },
    setSignals: (change) =>
      new Promise((resolve, reject) => {
        const next = { ...signals, ...change };
        // serialport's set() sets every flag it is given and defaults the others (dtr and rts to true): pass both.
        port.set({ dtr: next.dtr, rts: next.rts }, (error) => {
          if (error) {
            reject(new FlashError('no-modem-lines', `cannot set DTR/RTS on ${path} (${error.message}): the port has no modem lines, so the board cannot be reset from here`));
          } else {
            Object.assign(signals, next);
            resolve();
          }
        });
      }),
    setBaudRate: (rate) => new Promise((resolve, reject) => port.update({ baudRate: rate }, (error) => (error ? reject(error) : resolve()))),
    close: async () => {
      for (const listener of listeners.splice(0)) port.off('data', listener);
      if (!borrowed) await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
    },
  };
}
