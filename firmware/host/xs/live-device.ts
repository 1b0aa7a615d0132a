/**
 * XsDevice: a live simulated Moddable device on the real XS engine. A Moddable build (mote build
 * --target moddable) runs in an xsnap worker that stays up until stop(): the simulated engine
 * modules of device/guest.ts, with time that follows the wall clock and Moddable's `socket`
 * bridged to real TCP connections from this process (device/live.ts has the protocol). Console
 * lines and pin changes arrive as they happen. Host-side code.
 */
import { type ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import type { XSnapWorker } from '@agoric/xsnap';
import type { BoardSpec, PinChange } from '../../hal/sim/board.js';
import { DEVICE, ENGINE_MODULES, buildModules, guestBundle } from './device.js';
import { moduleLoader } from './modules.js';
import { loadXsnap } from './run.js';

export interface XsDeviceOptions {
  board?: BoardSpec;
  /** Flash at start: `domain.key` → binary string (Moddable's preferences). */
  flash?: Record<string, string>;
  onLine?: (line: string) => void;
}

interface Reply {
  next: number | null;
  lines: string[];
  pins: PinChange[];
  /** An exception the app's callbacks threw in this turn (the device goes on). */
  error?: string;
  flash?: Record<string, string>;
}

export class XsDevice {
  readonly output: string[] = [];
  readonly pins: PinChange[] = [];
  /** What the worker printed (xsnap's stdout and stderr): where an uncaught exception shows. */
  log = '';
  private worker: XSnapWorker | undefined;
  private child: ChildProcess | undefined;
  private readonly origin = performance.now();
  private readonly sockets = new Map<number, net.Socket>();
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly options: XsDeviceOptions) {}

  /** Starts the build in `outDir` on a fresh device. Rejects if its modules fail to load. */
  static async start(outDir: string, options: XsDeviceOptions = {}): Promise<XsDevice> {
    const device = new XsDevice(options);
    try {
      await device.boot(outDir);
    } catch (error) {
      await device.stop(); // the worker may be up: without this it keeps the process alive
      throw error;
    }
    return device;
  }

  private lastFlash: Record<string, string> = {};

  /** The device's flash now (`domain.key` → binary string): what a reset keeps, for XsDevice.start's `flash`. */
  async flash(): Promise<Record<string, string>> {
    await this.command({ t: 'flash' });
    return this.lastFlash;
  }

  /** The level of an output pin (its last change), 0 before any. */
  level(pin: number): 0 | 1 {
    for (let i = this.pins.length - 1; i >= 0; i--) if (this.pins[i]!.pin === pin) return this.pins[i]!.level;
    return 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
    this.child?.kill('SIGKILL');
  }

  private now(): number {
    return performance.now() - this.origin;
  }

  private async boot(outDir: string): Promise<void> {
    const { xsnap } = await loadXsnap();
    const board = this.options.board ?? {};
    const modules = {
      ...(await buildModules(outDir)),
      ...ENGINE_MODULES,
      socket: `export { LiveSocket as Socket } from '${DEVICE}';`,
      securesocket: `export { LiveSocket as default } from '${DEVICE}';`,
      [DEVICE]: await guestBundle('live.ts'),
      'mote:setup': `import { setup } from '${DEVICE}'; setup(${JSON.stringify(board)});`,
      'mote:seed': `import 'mote:setup'; import { seedFlash } from '${DEVICE}'; seedFlash(${JSON.stringify(this.options.flash ?? {})});`,
      'mote:live': `import 'mote:seed'; import 'main'; import { goLive } from '${DEVICE}'; goLive();`,
    };
    const spawn = ((command: string, args: readonly string[], spawnOptions: object) => {
      const child = nodeSpawn(command, args, spawnOptions);
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.log += chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.log += chunk));
      this.child = child;
      return child;
    }) as unknown as typeof nodeSpawn;
    const decoder = new TextDecoder();
    this.worker = await xsnap({
      os: os.type(),
      spawn,
      fs: {},
      name: 'mote-xs-device',
      stdout: 'pipe',
      stderr: 'pipe',
      meteringLimit: 0,
      handleCommand: async (message) => {
        this.fromGuest(JSON.parse(decoder.decode(message)) as { t: string; id: number; host?: string; port?: number; data?: string });
        return new Uint8Array(0);
      },
    });
    await this.worker.evaluate(moduleLoader(modules, 'mote:live'));
    await this.command({ t: 'tick' });
  }

  /** Sends a command to the guest (one at a time), takes its reply, and sleeps until the next timer. */
  private command(message: object): Promise<void> {
    const run = async () => {
      if (this.stopped || !this.worker) return;
      let reply: Reply;
      try {
        const result = await this.worker.issueCommand(new TextEncoder().encode(JSON.stringify({ ...message, now: this.now() })));
        reply = JSON.parse(new TextDecoder().decode(result.reply)) as Reply;
      } catch (error) {
        if (this.stopped) return; // stop() killed the worker under this command: nothing to report
        this.line(`${(error as Error).message}; device stopped`);
        await this.stop();
        return;
      }
      for (const line of reply.lines) this.line(line);
      if (reply.error !== undefined) this.line(`Uncaught ${reply.error}`);
      this.pins.push(...reply.pins);
      if (reply.flash) this.lastFlash = reply.flash;
      clearTimeout(this.timer);
      if (reply.next !== null && !this.stopped) this.timer = setTimeout(() => void this.command({ t: 'tick' }), Math.max(0, reply.next - this.now()));
    };
    this.queue = this.queue.then(run);
    return this.queue;
  }

  private line(line: string): void {
    this.output.push(line);
    this.options.onLine?.(line);
  }

  private fromGuest(message: { t: string; id: number; host?: string; port?: number; data?: string }): void {
    const { id } = message;
    const event = (name: string, data?: string) => void this.command({ t: 'socket', id, event: name, data });
    if (message.t === 'connect') {
      const socket = net.connect({ host: message.host!, port: message.port! });
      socket.setNoDelay(true);
      this.sockets.set(id, socket);
      socket.on('connect', () => event('connect'));
      socket.on('data', (chunk: Buffer) => event('data', chunk.toString('latin1')));
      socket.on('error', () => event('error'));
      socket.on('close', () => {
        if (this.sockets.delete(id)) event('close');
      });
    } else if (message.t === 'write') this.sockets.get(id)?.write(Buffer.from(message.data ?? '', 'latin1'));
    else if (message.t === 'close') {
      const socket = this.sockets.get(id);
      this.sockets.delete(id);
      socket?.end();
    }
  }
}
