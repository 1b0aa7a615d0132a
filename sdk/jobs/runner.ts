/**
 * JobRunner: takes the thing's jobs one at a time and hands each to the handler registered for
 * its type.
 *
 * - `start()` follows J/notify-next and asks for the next job (start-next, which makes it
 *   IN_PROGRESS; an execution left IN_PROGRESS before a reset comes back first, so a handler can
 *   resume). When a job ends it asks again; a notification while idle also starts the next one.
 * - The type is `jobDocument.operation` (AWS's convention) unless `typeOf` says otherwise. A
 *   job of no registered type is REJECTED; a handler that throws FAILS its job.
 * - A handler gets a Job: `progress(details)` reports IN_PROGRESS with details, then exactly one
 *   of `succeed`, `fail`, `reject` ends it. Every update names the execution's version it last
 *   saw (expectedVersion), so an execution changed behind the device's back (canceled, moved
 *   on) is refused with VersionMismatch rather than overwritten; the runner then moves on.
 *   Updates go one at a time, in order (each needs the version the previous one produced).
 */
import type { Done } from '../mqtt/connection.js';
import type { DeviceStatus, JobExecution, JobsClient, StatusDetails } from './client.js';

export interface Job {
  readonly execution: JobExecution;
  readonly document: { [key: string]: unknown };
  /** Reports IN_PROGRESS with `details` (shown in the console, kept across resets). */
  progress(details: StatusDetails, done?: Done): void;
  succeed(details?: StatusDetails, done?: Done): void;
  fail(details?: StatusDetails, done?: Done): void;
  reject(details?: StatusDetails, done?: Done): void;
}

export type JobHandler = (job: Job) => void;

export interface JobRunnerOptions {
  handlers: { [type: string]: JobHandler };
  typeOf?: (document: { [key: string]: unknown }) => string | undefined;
  /** Failed requests and refused updates nobody else hears of. */
  onError?: (error: Error) => void;
}

export class JobRunner {
  private current: JobExecution | undefined;
  private asking = false;
  private again = false;
  private stopNotify: (() => void) | undefined;

  constructor(
    private readonly jobs: JobsClient,
    private readonly options: JobRunnerOptions,
  ) {}

  /** Follows notify-next and takes the next job; `done` once the first start-next is answered. */
  start(done?: Done): void {
    this.stopNotify = this.jobs.onNotifyNext((notify) => {
      if (notify.execution) this.next();
    }, (error) => {
      if (error) return done && done(error);
      this.next(done);
    });
  }

  stop(): void {
    if (this.stopNotify) this.stopNotify();
    this.stopNotify = undefined;
  }

  /** The job being handled, if any. */
  get running(): JobExecution | undefined {
    return this.current;
  }

  private next(done?: Done): void {
    if (this.current || !this.stopNotify) return done && done();
    if (this.asking) {
      this.again = true; // a notification came while asking: ask once more after
      return done && done();
    }
    this.asking = true;
    this.jobs.startNext({}, (error, answer) => {
      this.asking = false;
      if (error) this.report(error);
      else if (answer && answer.execution) this.run(answer.execution);
      if (done) done(error);
      if (this.again && !this.current) {
        this.again = false;
        this.next();
      }
    });
  }

  private run(execution: JobExecution): void {
    this.current = execution;
    const document = execution.jobDocument || {};
    const type = this.options.typeOf ? this.options.typeOf(document) : typeof document.operation === 'string' ? document.operation : undefined;
    const handler = type !== undefined ? this.options.handlers[type] : undefined;
    const job = this.job(execution, document);
    if (!handler) return job.reject({ reason: type === undefined ? 'job document names no type' : `no handler for job type ${type}` });
    try {
      handler(job);
    } catch (error) {
      job.fail({ reason: String((error as Error).message || error) });
    }
  }

  private job(execution: JobExecution, document: { [key: string]: unknown }): Job {
    let version = execution.versionNumber;
    let ended = false; // a terminal status was asked for, or the service refused further updates
    let sending = false;
    const queue: { status: DeviceStatus; details: StatusDetails | undefined; done: Done | undefined }[] = [];
    // One update at a time: each names the version the previous one produced.
    const flush = () => {
      if (sending || queue.length === 0) return;
      const { status, details, done } = queue.shift()!;
      sending = true;
      this.jobs.update(execution.jobId, {
        status, statusDetails: details, expectedVersion: version, executionNumber: execution.executionNumber, includeJobExecutionState: true,
      }, (error, answer) => {
        sending = false;
        if (answer && answer.executionState) version = answer.executionState.versionNumber;
        if (error) this.report(error);
        const code = error && (error as { code?: unknown }).code;
        const over = status !== 'IN_PROGRESS' || code === 'VersionMismatch' || code === 'TerminalStateReached' || code === 'ResourceNotFound';
        if (over) {
          ended = true;
          for (const q of queue.splice(0)) if (q.done) q.done(new Error(`job ${execution.jobId} has already ended`));
          if (this.current === execution) {
            this.current = undefined;
            this.next();
          }
        }
        if (done) done(error);
        flush();
      });
    };
    const send = (status: DeviceStatus, details: StatusDetails | undefined, done: Done | undefined) => {
      if (ended) return done && done(new Error(`job ${execution.jobId} has already ended`));
      if (status !== 'IN_PROGRESS') ended = true;
      queue.push({ status, details, done });
      flush();
    };
    return {
      execution,
      document,
      progress: (details, done) => send('IN_PROGRESS', details, done),
      succeed: (details, done) => send('SUCCEEDED', details, done),
      fail: (details, done) => send('FAILED', details, done),
      reject: (details, done) => send('REJECTED', details, done),
    };
  }

  private report(error: Error): void {
    if (this.options.onError) this.options.onError(error);
  }
}
