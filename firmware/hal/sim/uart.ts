/**
 * The far end of the simulated chip's UARTs: what the device sent, and bytes arriving from
 * outside (a GPS module, a modem), injected by a test or at times a BoardSpec gives. Bytes that
 * arrive on a UART nobody has opened are lost, as on a chip. Engine-neutral.
 */

/** Bytes on a UART at a time: `data` a string (one character per byte) or an array of bytes. */
export interface UartSpec {
  at: number;
  port: number;
  data: string | number[];
}

/** What the device sent: each write, with the board time and the UART. */
export interface UartChunk {
  at: number;
  port: number;
  data: number[];
}

export function uartBytes(data: string | readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const b = typeof data === 'string' ? data.charCodeAt(i) : data[i]!;
    if (!(b >= 0 && b <= 255 && b === Math.floor(b))) throw new Error(`uart: byte ${i} (${b}) is not 0-255`);
    out.push(b);
  }
  return out;
}

export class VirtualUarts {
  /** Everything the device wrote, in order. */
  readonly sent: UartChunk[] = [];
  private readonly receivers: { [port: number]: (bytes: number[]) => void } = {};

  constructor(private readonly now: () => number) {}

  /** Opens a UART: `receive` gets the bytes that arrive on it. Throws if the port is taken. */
  open(port: number, receive: (bytes: number[]) => void): void {
    if (this.receivers[port]) throw new Error(`Serial: port ${port} in use`);
    this.receivers[port] = receive;
  }

  close(port: number): void {
    delete this.receivers[port];
  }

  /** The device sends bytes. */
  write(port: number, bytes: readonly number[]): void {
    if (bytes.length > 0) this.sent.push({ at: this.now(), port, data: bytes.slice() });
  }

  /** Bytes arrive from outside on `port` (lost if the port is not open). */
  inject(port: number, data: string | readonly number[]): void {
    const bytes = uartBytes(data);
    const receive = this.receivers[port];
    if (receive && bytes.length > 0) receive(bytes);
  }
}
