/**
 * Mosquitto (Debian's `mosquitto` package) as an independent MQTT broker for tests: started on a
 * free loopback port in a temporary folder, stopped and restarted on the same port (to test a
 * broker restart), with its log kept for failure messages. Host-side test support.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BINARIES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'];

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}:\n${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`mosquitto did not listen on ${port}:\n${log()}`);
}

export class Mosquitto {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'mote-mosquitto-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<Mosquitto> {
    const broker = new Mosquitto(await freePort());
    await broker.restart();
    return broker;
  }

  get log(): string {
    const file = path.join(this.dir, 'mosquitto.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Starts the broker (again), on the same port. */
  async restart(): Promise<void> {
    if (this.child) await this.stop();
    const binary = BINARIES.find((b) => existsSync(b));
    if (!binary) throw new Error("mosquitto is not installed: run the README's set-up (apt-get install mosquitto)");
    const config = path.join(this.dir, 'mosquitto.conf');
    const lines = [`listener ${this.port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', `log_dest file ${path.join(this.dir, 'mosquitto.log')}`, 'log_type all'];
    if (process.getuid?.() === 0) lines.push('user root');
    writeFileSync(config, `${lines.join('\n')}\n`);
    const child = spawn(binary, ['-c', config], { stdio: 'ignore' });
    this.child = child;
    await waitForPort(this.port, child, () => this.log);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
