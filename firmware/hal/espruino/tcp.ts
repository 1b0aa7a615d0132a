/** TCP over Espruino's `net` module (and `tls`, where the build has it), whose sockets take and give binary strings. */
import type { TCP as TCPContract, TCPOptions } from '../contract/tcp.js';
import { checkTCPOptions } from '../validate.js';
import { bytesToString, espruinoModule, stringToBytes } from './engine.js';

interface EspruinoSocket {
  on(event: 'data', fn: (data: string) => void): void;
  on(event: 'close' | 'end', fn: () => void): void;
  on(event: 'error', fn: (error: unknown) => void): void;
  write(data: string): void;
  end(): void;
}
interface EspruinoNet {
  connect(options: { host: string; port: number; ca?: string; key?: string; cert?: string }, onConnect: () => void): EspruinoSocket;
}

export class TCP implements TCPContract {
  private readonly socket: EspruinoSocket;
  private received = '';
  private closed = false;

  constructor(options: TCPOptions) {
    const o = checkTCPOptions(options);
    const t = o.tls;
    const net = espruinoModule<EspruinoNet>(t ? 'tls' : 'net');
    const self = this;
    let reported = false;
    const fail = (error: Error) => {
      if (self.closed || reported) return;
      reported = true;
      self.closed = true;
      if (o.onError) o.onError(error);
    };
    this.socket = net.connect({ host: o.host, port: o.port, ca: t && t.ca, key: t && t.key, cert: t && t.cert }, () => {
      if (o.onWritable) o.onWritable(1024);
    });
    this.socket.on('data', (data) => {
      self.received += data;
      if (o.onReadable) o.onReadable(data.length);
    });
    // Espruino's socket errors are objects `{ code, message }`, not Errors.
    this.socket.on('error', (error) => fail(new Error(`TCP: ${describeSocketError(error)}`)));
    this.socket.on('close', () => fail(new Error('TCP: connection closed by the peer')));
  }

  read(): Uint8Array {
    const data = this.received;
    this.received = '';
    return stringToBytes(data);
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new Error('TCP: closed');
    this.socket.write(bytesToString(bytes));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
  }
}

function describeSocketError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    if (e.message !== undefined) return String(e.message) + (e.code !== undefined && e.code !== e.message ? ` (${String(e.code)})` : '');
    if (e.code !== undefined) return String(e.code);
  }
  return String(error);
}
