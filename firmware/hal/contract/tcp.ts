/**
 * TCP: a client socket, in the shape of ECMA-419's TCP socket: callbacks as options, data pulled
 * with read() when onReadable says it is there.
 *
 * - `new TCP({ host, port, tls?, onReadable, onWritable, onError })` starts connecting at once.
 * - `onWritable(count)`: first call = connected; `write(bytes)` may be called from then on.
 * - `onReadable(count)`: `count` bytes arrived; `read()` returns every byte received so far.
 * - `onError(error)`: the connection failed or ended (refused, reset, closed by the peer,
 *   TLS failure); the socket is closed after it. Not called after your own close().
 * - TLS where the engine has it (`tls: { serverName, ca, cert, key }` in PEM); a port without TLS
 *   throws when asked for it.
 */
export interface TLSOptions {
  serverName?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

export interface TCPOptions {
  host: string;
  port: number;
  tls?: TLSOptions;
  onReadable?: (count: number) => void;
  onWritable?: (count: number) => void;
  onError?: (error: Error) => void;
}

export interface TCP {
  read(): Uint8Array;
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface TCPClass {
  new (options: TCPOptions): TCP;
}
