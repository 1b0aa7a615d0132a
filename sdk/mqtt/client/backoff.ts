/**
 * Reconnect delays: exponential from `minMs` to `maxMs`, each shortened by a random fraction up
 * to `jitter`, so a fleet that lost its broker at once does not come back at once.
 */
export interface BackoffOptions {
  minMs?: number;
  maxMs?: number;
  /** 0 to 1: how much of each delay may be cut at random. */
  jitter?: number;
}

export class Backoff {
  private attempt = 0;
  readonly minMs: number;
  readonly maxMs: number;
  readonly jitter: number;

  constructor(
    options: BackoffOptions,
    private readonly random: () => number,
  ) {
    this.minMs = options.minMs ?? 1000;
    this.maxMs = options.maxMs ?? 60000;
    this.jitter = options.jitter ?? 0.5;
  }

  /** The delay before the next attempt (and counts the attempt). */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * Math.pow(2, this.attempt));
    this.attempt++;
    return Math.round(ceiling * (1 - this.jitter * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
