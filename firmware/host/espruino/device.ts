/**
 * EspruinoDevice: a live simulated Espruino device on the computer. Where runOnEspruinoHost runs
 * a script to completion in simulated time, a device runs in real time until stopped: its timers
 * fire when they are due, its sockets (`require('net')`) are real TCP connections from this
 * process, and its console lines arrive as they are printed. The guest is the same as the batch
 * run's (guest.ts: only what Espruino 2v29 has), with a VirtualBoard for pins and I2C and Storage
 * that outlives the script. Host-side code.
 */
import net from 'node:net';
import vm from 'node:vm';
import { checkDialect } from '../../build/espruino/dialect.js';
import { type BoardSpec, VirtualBoard } from '../../hal/sim/board.js';
import { formatUncaught, formatValue } from './format.js';
import { createGuest, type Guest } from './guest.js';
import { shareLoopBindings } from './loop-bindings.js';
import { EventLoop } from './loop.js';
import { EspruinoHostError } from './run.js';
import { HostStorage } from './storage.js';

export interface EspruinoDeviceOptions {
  board?: BoardSpec;
  /** Files in Storage at start (binary strings); kept across reset(). */
  storage?: Record<string, string>;
  /** Each console line as it is printed. */
  onLine?: (line: string) => void;
  /** After each reset() or load() (Espruino prints its banner then). */
  onRestart?: () => void;
  /** Wall-clock limit for one burst of the script's work; past it the device stops (an endless loop). Default 5000. */
  burstLimitMs?: number;
}

type Dispatch = (id: number, event: string, data?: string) => void;

export class EspruinoDevice {
  /** Every line printed, in order. */
  readonly output: string[] = [];
  readonly board: VirtualBoard | undefined;
  private readonly files: HostStorage;
  private loop: EventLoop;
  private guest: Guest;
  private readonly boardTimers: NodeJS.Timeout[] = [];
  /** A reset() or load() the script asked for, done once its current job ends. */
  private requested: 'reset' | 'load' | undefined;
  private readonly origin = performance.now();
  private readonly sockets = new Map<number, net.Socket>();
  private nextSocket = 1;
  private dispatch: Dispatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private woken = false;
  private stopped = false;

  constructor(private readonly options: EspruinoDeviceOptions = {}) {
    this.files = new HostStorage(options.storage ?? {});
    this.loop = this.newLoop();
    const spec = options.board;
    this.board = spec ? new VirtualBoard(spec) : undefined;
    if (this.board) {
      const board = this.board;
      board.now = () => this.loop.now;
      // The board's timed events (button presses, UART bytes) belong to the world outside the
      // chip: they run on the host's clock, so a reset() of the interpreter does not lose them.
      board.later = (fn, ms) => {
        this.boardTimers.push(
          setTimeout(() => {
            if (this.stopped) return;
            fn();
            this.wake();
          }, Math.max(0, ms)),
        );
      };
      board.start();
    }
    this.guest = this.newGuest();
  }

  private newLoop(): EventLoop {
    return new EventLoop(Number.POSITIVE_INFINITY, () => performance.now() - this.origin);
  }

  private newGuest(): Guest {
    return createGuest({
      loop: this.loop,
      files: this.files,
      board: this.board,
      print: (text) => {
        for (const line of text.split('\n')) {
          this.output.push(line);
          this.options.onLine?.(line);
        }
      },
      extra: { ...this.netBridge(), ...this.consoleBridge() },
      keep: ['reset', 'load'],
    });
  }

  /**
   * Espruino's reset(): a fresh interpreter (timers, sockets and variables gone); Storage, the
   * board's pins and its timed events stay, as on the device.
   */
  reset(): void {
    clearTimeout(this.timer);
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
    this.dispatch = undefined;
    this.loop = this.newLoop();
    this.guest = this.newGuest();
    this.options.onRestart?.();
  }

  /** Espruino's load(): reset, then run the saved program (Storage's `.bootcde`), if any. */
  boot(): void {
    this.reset();
    const saved = this.files.read('.bootcde');
    if (saved !== undefined) this.run(saved, '.bootcde');
    this.wake();
  }

  /**
   * What Espruino's REPL does with one complete statement typed at its prompt: runs it and answers
   * `=<value>` (strings quoted), or prints the error. Constructs Espruino lacks are errors here too.
   */
  evaluate(source: string): string | undefined {
    if (this.stopped) throw new Error('EspruinoDevice: stopped');
    const problems = checkDialect(source);
    if (problems.length > 0) {
      this.guest.print(`Uncaught SyntaxError: ${problems[0]!.message}`);
      return undefined;
    }
    let answer: string | undefined;
    this.guard(() => {
      try {
        const value = new vm.Script(shareLoopBindings(source), { filename: 'repl' }).runInContext(this.guest.context, { timeout: this.burstLimit });
        answer = `=${typeof value === 'string' ? JSON.stringify(value) : formatValue(value, this.guest.format)}`;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
        this.guest.print(formatUncaught(error, this.guest.format));
      }
    });
    // reset() and load() answer with the banner, not a value.
    if (this.requested) answer = undefined;
    this.afterScript();
    return answer;
  }

  /**
   * Runs `code` (checked against Espruino 2v29 first: a problem throws an EspruinoHostError of
   * kind 'dialect' and nothing runs), then keeps running its timers and events.
   */
  load(code: string, sourceMap?: string | object): void {
    if (this.stopped) throw new Error('EspruinoDevice: stopped');
    const problems = checkDialect(code, sourceMap === undefined ? {} : { sourceMap });
    if (problems.length > 0) {
      const lines = problems.map((p) => `  ${p.message}`).join('\n');
      throw new EspruinoHostError('dialect', `the script uses what Espruino 2v29 does not have:\n${lines}`, problems, []);
    }
    this.run(code, 'espruino.js');
    this.afterScript();
  }

  private run(code: string, filename: string): void {
    this.guard(() => {
      try {
        new vm.Script(shareLoopBindings(code), { filename }).runInContext(this.guest.context, { timeout: this.burstLimit });
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
        this.guest.print(formatUncaught(error, this.guest.format));
      }
    });
  }

  /** After the script's work: a reset() or load() it asked for, then the loop. */
  private afterScript(): void {
    const requested = this.requested;
    this.requested = undefined;
    if (requested === 'reset') this.reset();
    else if (requested === 'load') this.boot();
    this.wake();
  }

  /** Storage's files now. */
  storage(): Record<string, string> {
    return this.files.toRecord();
  }

  /** Stops the device: no more timers, sockets closed. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const t of this.boardTimers) clearTimeout(t);
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
  }

  private get burstLimit(): number {
    return this.options.burstLimitMs ?? 5000;
  }

  /** Runs `work`; a script that computes past the burst limit stops the device. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
      this.guest.print(`Uncaught InternalError: the script computed for longer than ${this.burstLimit} ms; device stopped`);
      this.stop();
    }
  }

  /** Runs whatever is due, then sleeps until the next timer (or an event wakes it). */
  private pump(): void {
    this.woken = false;
    if (this.stopped) return;
    this.guard(() => vm.runInContext('__moteRun()', this.guest.context, { timeout: this.burstLimit }));
    if (this.stopped) return;
    if (this.requested) return this.afterScript();
    clearTimeout(this.timer);
    const due = this.loop.nextDue;
    if (Number.isFinite(due)) this.timer = setTimeout(() => this.pump(), Math.max(0, due - this.loop.now));
  }

  private wake(): void {
    if (this.woken || this.stopped) return;
    this.woken = true;
    setImmediate(() => this.pump());
  }

  /** An event for the guest's sockets, run like any Espruino event. */
  private emit(id: number, event: string, data?: string): void {
    if (!this.dispatch || this.stopped) return;
    this.loop.queue(this.dispatch, data === undefined ? [id, event] : [id, event, data]);
    this.wake();
  }

  /** reset() and load() for the script: done when its current job ends. */
  private consoleBridge(): Record<string, unknown> {
    return {
      requestReset: () => (this.requested = 'reset'),
      requestLoad: () => (this.requested = 'load'),
    };
  }

  private netBridge(): Record<string, unknown> {
    return {
      netEvents: (fn: Dispatch) => {
        this.dispatch = fn;
      },
      netConnect: (host: string, port: number): number => {
        const id = this.nextSocket++;
        const socket = net.connect({ host, port });
        socket.setNoDelay(true);
        this.sockets.set(id, socket);
        socket.on('connect', () => this.emit(id, 'connect'));
        socket.on('data', (chunk: Buffer) => this.emit(id, 'data', chunk.toString('latin1')));
        socket.on('error', (error: NodeJS.ErrnoException) => this.emit(id, 'error', error.code ?? error.message));
        socket.on('close', () => {
          this.sockets.delete(id);
          this.emit(id, 'close');
        });
        return id;
      },
      netWrite: (id: number, data: string) => {
        this.sockets.get(id)?.write(Buffer.from(data, 'latin1'));
      },
      netEnd: (id: number) => {
        this.sockets.get(id)?.end();
      },
    };
  }
}
