/** TCP for the sim port, over Node's own sockets (node:net, node:tls): real connections from tests. */
import net from 'node:net';
import tls from 'node:tls';
import type { TCP, TCPOptions } from '../../contract/tcp.js';
import { checkTCPOptions } from '../../validate.js';

export class NodeTCP implements TCP {
  private readonly socket: net.Socket;
  private received: Buffer[] = [];
  private closed = false;

  constructor(options: TCPOptions) {
    const o = checkTCPOptions(options);
    const t = o.tls;
    this.socket = t
      ? tls.connect({ host: o.host, port: o.port, servername: t.serverName ?? o.host, ca: t.ca, cert: t.cert, key: t.key })
      : net.connect({ host: o.host, port: o.port });
    this.socket.setNoDelay(true);
    this.socket.once(t ? 'secureConnect' : 'connect', () => o.onWritable?.(65536));
    this.socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      o.onReadable?.(chunk.length);
    });
    let reported = false;
    const fail = (error: Error) => {
      if (this.closed || reported) return;
      reported = true;
      this.closed = true;
      o.onError?.(error);
    };
    this.socket.on('error', (error) => fail(error));
    this.socket.on('close', () => fail(new Error('TCP: connection closed by the peer')));
  }

  read(): Uint8Array {
    const all = Buffer.concat(this.received);
    this.received = [];
    return new Uint8Array(all.buffer, all.byteOffset, all.length);
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new Error('TCP: closed');
    this.socket.write(bytes);
  }

  /** Flushes what was written (a DISCONNECT), then closes; a peer that never answers is cut off after a second. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
