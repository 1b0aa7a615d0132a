/**
 * TCP over Moddable's `socket` module (host names resolved by the socket itself) and, for TLS,
 * `securesocket`. Moddable reports through one callback: 1 connected, 2 data (bytes waiting),
 * -1 disconnected, -2 error. Client certificates on Moddable come from the app's manifest
 * resources, not PEM strings, so `tls.cert`/`tls.key` are refused here.
 */
import { Socket } from 'socket';
import SecureSocket from 'securesocket';
import type { TCP as TCPContract, TCPOptions } from '../contract/tcp.js';
import { checkTCPOptions } from '../validate.js';

export class TCP implements TCPContract {
  private readonly socket: Socket;
  private closed = false;

  constructor(options: TCPOptions) {
    const o = checkTCPOptions(options);
    const t = o.tls;
    if (t && (t.cert || t.key)) throw new Error('TCP: on Moddable, TLS client certificates come from the manifest resources');
    this.socket = t ? new SecureSocket({ host: o.host, port: o.port, secure: { serverName: t.serverName || o.host } }) : new Socket({ host: o.host, port: o.port });
    const self = this;
    this.socket.callback = (message: number, value?: number) => {
      if (message === 1 && o.onWritable) o.onWritable(1024);
      else if (message === 2 && o.onReadable) o.onReadable(value || 0);
      else if (message < 0 && !self.closed) {
        self.closed = true;
        if (o.onError) o.onError(new Error(message === -1 ? 'TCP: connection closed by the peer' : 'TCP: socket error'));
      }
    };
  }

  read(): Uint8Array {
    return new Uint8Array(this.socket.read(ArrayBuffer));
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new Error('TCP: closed');
    this.socket.write(bytes.slice().buffer);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}
