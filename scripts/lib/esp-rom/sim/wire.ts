/**
 * One direction of a serial line at a baud rate: bytes are delivered in order, each chunk no earlier than the
 * time its bits take on the wire (10 bits a byte: start, 8 data, stop). A pty moves bytes as fast as memory,
 * so the simulated chip paces its own ends to make throughput comparable to a real UART.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export class Wire {
  private freeAt = 0;
  private chain: Promise<void> = Promise.resolve();

  /** `baudRate()` is read per chunk; 0 disables pacing. */
  constructor(private readonly baudRate: () => number) {}

  /** Delivers `bytes` once they have crossed the wire, after `extraDelayMs` more; `after` runs once delivered. */
  send(bytes: Buffer, deliver: (bytes: Buffer) => void, extraDelayMs = 0, after?: () => void): Promise<void> {
    this.chain = this.chain.then(async () => {
      const baud = this.baudRate();
      const now = performance.now();
      const start = Math.max(now + extraDelayMs, this.freeAt);
      this.freeAt = baud > 0 ? start + (bytes.length * 10 * 1000) / baud : start;
      const wait = this.freeAt - performance.now();
      if (wait >= 1) await sleep(wait);
      deliver(bytes);
      after?.();
    });
    return this.chain;
  }

  /** Resolves once everything sent so far is delivered. */
  drain(): Promise<void> {
    return this.chain;
  }
}
