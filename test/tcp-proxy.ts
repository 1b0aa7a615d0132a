/**
 * A TCP proxy between a client and a broker, for fault injection in tests: it forwards bytes both
 * ways and can black-hole the link (bytes accepted, never delivered: a dead link), cut every
 * connection, or drop the next chunk from the broker that a test picks. Host-side test support.
 */
import net from 'node:net';

export class TcpProxy {
  private readonly server: net.Server;
  private readonly links = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private frozen = false;
  private refusing = false;
  private dropFromBroker: ((chunk: Buffer) => boolean) | undefined;
  /** Every chunk the client sent, in order (all connections). */
  readonly fromClient: Buffer[] = [];
  connections = 0;

  private constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      this.connections++;
      const upstream = net.connect(this.target, '127.0.0.1');
      const link = { client, upstream };
      this.links.add(link);
      client.on('data', (chunk) => {
        this.fromClient.push(chunk);
        if (!this.frozen) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (this.frozen) return;
        if (this.dropFromBroker?.(chunk)) {
          this.dropFromBroker = undefined;
          return;
        }
        client.write(chunk);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.links.delete(link);
      };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', end);
      upstream.on('error', end);
    });
  }

  static async start(target: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Stops delivering bytes either way, keeping the connections open (a dead link). */
  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
  }

  /** While on, new connections are closed at once (a broker that is down). */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  /** Drops the first chunk from the broker for which `pick` is true. */
  dropNextFromBroker(pick: (chunk: Buffer) => boolean): void {
    this.dropFromBroker = pick;
  }

  /** Closes every connection (the broker side stays up). */
  cut(): void {
    for (const { client, upstream } of this.links) {
      client.destroy();
      upstream.destroy();
    }
    this.links.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
