/**
 * Types for the part of @agoric/xsnap 0.15 that runOnXS uses (the package ships JavaScript only).
 * Source of truth: node_modules/@agoric/xsnap/src/xsnap.js and api.js.
 */
declare module '@agoric/xsnap' {
  import type { spawn } from 'node:child_process';

  export interface XSnapOptions {
    /** `os.type()`: 'Linux' or 'Darwin'; picks build/bin/<lin|mac>/<release|debug>/xsnap-worker. */
    os: string;
    spawn: typeof spawn;
    /** Only touched for snapshots, which runOnXS does not use. */
    fs: object;
    /** Worker name, used in error messages ("Uncaught exception in <name>: ..."). */
    name?: string;
    /** Answers the guest's synchronous `issueCommand(ArrayBuffer)`; default echoes. */
    handleCommand?: (request: Uint8Array) => Promise<Uint8Array>;
    stdout?: 'ignore' | 'inherit' | 'pipe';
    stderr?: 'ignore' | 'inherit' | 'pipe';
    /**
     * Computrons per crank (one evaluate or issueCommand, including the promise jobs it queues);
     * passed as `-l`. Exceeding it kills the worker (exit 17, "too much computation").
     * Default 1e8; 0 means no limit.
     */
    meteringLimit?: number;
    debug?: boolean;
    env?: Record<string, string | undefined>;
  }

  export interface RunResult {
    /** What the guest's handleCommand returned (empty for evaluate). */
    reply: Uint8Array;
    meterUsage: { meterType: string; compute: number | null; allocate: number | null; currentHeapCount: number | null };
  }

  export interface XSnapWorker {
    readonly name: string;
    /** Evaluates a script with the global `eval` and runs promise jobs and setImmediate callbacks to idle. */
    evaluate(code: string): Promise<RunResult>;
    issueCommand(message: Uint8Array): Promise<RunResult>;
    /** Asks the worker to quit; resolves when it exits with code 0, rejects with ErrorCode otherwise. */
    close(): Promise<void>;
    /** Kills the worker (SIGTERM); resolves once it has exited. */
    terminate(): Promise<void>;
  }

  export function xsnap(options: XSnapOptions): Promise<XSnapWorker>;

  /** Worker exit codes (api.js). */
  export const ExitCode: Readonly<Record<string, number>>;
  export class ErrorCode extends Error {
    code: number;
  }
  export class ErrorSignal extends Error {
    code: string;
  }
}
