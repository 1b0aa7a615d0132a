/**
 * Serial: one UART, in the shape of ECMA-419's Serial class (and Moddable's `embedded:io/serial`).
 *
 * - `new Serial({ port?, baud, receive, transmit, onReadable, onWritable?, onError? })`: the ESP32
 *   UART number (1 or 2, default 1; UART 0 is the console on both engines), the bit rate (8N1),
 *   and the RX and TX pins. Validated before the UART is touched (validate.ts); a port another
 *   Serial holds throws Error "Serial: port 1 in use".
 * - `onReadable(count)`: `count` bytes arrived; `read()` returns every byte received since the
 *   last read (an empty Uint8Array when none). Host context, like Digital's onReadable: reach
 *   tasks through the kernel's ISR-safe calls.
 * - `write(bytes)`: queues bytes for sending; the engine buffers them, so it does not block.
 * - `onWritable(count)`: there is room for `count` bytes; called once, after the port opens.
 * - `onError(error)`: a receive error the engine reports (Moddable only; Espruino and the sim
 *   report none).
 * - `close()` releases the port; bytes arriving afterwards are dropped, as on an unconfigured UART.
 */
export interface SerialOptions {
  port?: number;
  baud: number;
  receive: number;
  transmit: number;
  onReadable?: (this: Serial, count: number) => void;
  onWritable?: (this: Serial, count: number) => void;
  onError?: (this: Serial, error: Error) => void;
}

export interface Serial {
  read(): Uint8Array;
  write(bytes: Uint8Array | readonly number[]): void;
  close(): void;
}

export interface SerialClass {
  new (options: SerialOptions): Serial;
}
