/**
 * The Jobs service: jobs created for things and thing groups, their executions dispatched by
 * the rollout, ended by devices (device-api.ts), by timeouts, by cancel or by abort criteria,
 * and the job completed once every execution has ended.
 *
 * - Targets: `thing/<name>` and `thinggroup/<name>`; a group stands for its member things and
 *   those of its descendant groups at the moment the job is created (a snapshot job: things
 *   added later are not targeted).
 * - Rollout (jobExecutionsRolloutConfig): at most `maximumPerMinute` executions dispatched in
 *   any 60 s; with `exponentialRate`, the rate starts at `baseRatePerMinute` and is multiplied
 *   by `incrementFactor` each time another `numberOfNotifiedThings` (or `...SucceededThings`)
 *   is reached, up to the maximum. A thing sees an execution only once it is dispatched.
 * - Abort (abortConfig): after an execution ends, once at least `minNumberOfExecutedThings`
 *   have ended and the failures of `failureType` reach `thresholdPercentage` of them, the job
 *   is canceled (reasonCode ABORTED).
 * - Timeouts: an execution IN_PROGRESS longer than the job's `inProgressTimeoutInMinutes`, or
 *   past the step timeout a device set (stepTimeoutInMinutes), becomes TIMED_OUT.
 * - Cancel: queued executions become CANCELED; IN_PROGRESS ones too when `force`, else they may
 *   still finish. The job is CANCELED at once.
 *
 * Rollout steps and timeouts run in `tick()`, which `start()` calls every second; tests call it
 * with their own clock. All times are epoch ms here; the device API shows epoch seconds.
 */
import type { MessageBus } from '../bus.js';
import { alreadyExists, CloudError, invalid, notFound } from '../errors.js';
import { parseInput } from '../registry/parse.js';
import type { Registry } from '../registry/registry.js';
import type { Database } from '../store/database.js';
import { DeviceJobsApi } from './device-api.js';
import { Executions, type Execution } from './executions.js';
import { Notifier, type ProcessDetails } from './notify.js';
import { JobRecords, type JobRecord } from './records.js';
import { cancelExecution, cancelJob, createJob, isPending, type ExecutionStatus, type JobStatus } from './schemas.js';

export interface JobsServiceOptions {
  /** Clock in epoch ms (tests pass their own). */
  now?: () => number;
  /** Failures of background work and of requests answered InternalError. */
  onError?: (error: Error) => void;
}

export type JobView = Omit<JobRecord, 'forceCanceled'> & { forceCanceled: boolean; targetSelection: 'SNAPSHOT'; jobProcessDetails: ProcessDetails };

export interface ExecutionView {
  jobId: string;
  thingName: string;
  status: ExecutionStatus;
  statusDetails?: Record<string, string>;
  executionNumber: number;
  versionNumber: number;
  queuedAt?: number;
  startedAt?: number;
  lastUpdatedAt: number;
}

const MINUTE = 60_000;

const viewOf = (e: Execution): ExecutionView => ({
  jobId: e.jobId, thingName: e.thingName, status: e.status, ...(e.statusDetails && { statusDetails: e.statusDetails }),
  executionNumber: e.executionNumber, versionNumber: e.versionNumber,
  ...(e.queuedAt !== undefined && { queuedAt: e.queuedAt }), ...(e.startedAt !== undefined && { startedAt: e.startedAt }), lastUpdatedAt: e.lastUpdatedAt,
});

function processDetails(counts: Partial<Record<ExecutionStatus, number>>): ProcessDetails {
  const n = (status: ExecutionStatus) => counts[status] ?? 0;
  return {
    numberOfQueuedThings: n('QUEUED'), numberOfInProgressThings: n('IN_PROGRESS'), numberOfSucceededThings: n('SUCCEEDED'),
    numberOfFailedThings: n('FAILED'), numberOfRejectedThings: n('REJECTED'), numberOfCanceledThings: n('CANCELED'),
    numberOfTimedOutThings: n('TIMED_OUT'), numberOfRemovedThings: n('REMOVED'),
  };
}

export class JobsService {
  /** The device MQTT API (bound to the bus by mqtt.ts). */
  readonly device: DeviceJobsApi;
  private readonly notifier: Notifier;
  private readonly records: JobRecords;
  private readonly executions: Executions;
  private readonly now: () => number;
  private readonly onError: (error: Error) => void;

  constructor(
    private readonly db: Database,
    private readonly registry: Registry,
    bus: MessageBus,
    options: JobsServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    this.records = new JobRecords(db);
    this.executions = new Executions(db);
    this.notifier = new Notifier(bus, db, async (jobId) => (await this.records.find(jobId))?.document, this.now);
    this.device = new DeviceJobsApi({
      db, notifier: this.notifier, now: this.now, onError: this.onError,
      job: (jobId) => this.records.find(jobId),
      ended: (execution) => this.ended(execution.jobId),
    });
  }

  /** CreateJob: resolves the targets, stores the job and its executions, and dispatches what the rollout allows now. */
  async create(input: unknown): Promise<JobView> {
    const request = parseInput(createJob, input);
    const things = await this.resolveTargets(request.targets);
    const now = this.now();
    const job: JobRecord = {
      jobId: request.jobId, document: request.document, ...(request.description !== undefined && { description: request.description }),
      targets: request.targets, status: 'IN_PROGRESS',
      ...(request.jobExecutionsRolloutConfig && { jobExecutionsRolloutConfig: request.jobExecutionsRolloutConfig }),
      ...(request.abortConfig && { abortConfig: request.abortConfig }), ...(request.timeoutConfig && { timeoutConfig: request.timeoutConfig }),
      forceCanceled: false, createdAt: now, lastUpdatedAt: now,
    };
    await this.db.transaction(async (tx) => {
      if (!(await new JobRecords(tx).insert(job))) throw alreadyExists(`job ${job.jobId}`);
      const executions = new Executions(tx);
      for (const thingName of things) {
        await executions.insert({ jobId: job.jobId, thingName, executionNumber: 1, status: 'QUEUED', versionNumber: 1, lastUpdatedAt: now });
      }
    });
    await this.roll(job);
    await this.ended(job.jobId); // a job with no things is complete at once
    return this.describe(job.jobId);
  }

  /** Thing names the targets stand for, each once; a missing thing or group is refused. */
  private async resolveTargets(targets: string[]): Promise<string[]> {
    const things = new Set<string>();
    const groups = await this.registry.groups.list();
    for (const target of targets) {
      const [kind, name] = target.replace(/^arn:[^:]*:iot:[^:]*:[^:]*:/, '').split('/') as [string, string];
      if (kind === 'thing') {
        await this.registry.things.describe(name);
        things.add(name);
        continue;
      }
      await this.registry.groups.describe(name);
      // The group and its descendants.
      const wanted = new Set([name]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const g of groups) if (g.parentGroupName !== undefined && wanted.has(g.parentGroupName) && !wanted.has(g.groupName)) grew = wanted.add(g.groupName) !== undefined;
      }
      for (const group of wanted) for (const thing of await this.registry.groups.things(group)) things.add(thing);
    }
    return [...things].sort();
  }

  async describe(jobId: string): Promise<JobView> {
    const job = await this.records.find(jobId);
    if (job === undefined) throw notFound(`job ${jobId}`);
    return { ...job, targetSelection: 'SNAPSHOT', jobProcessDetails: processDetails(await this.executions.countByStatus(jobId)) };
  }

  async list(status?: JobStatus): Promise<JobView[]> {
    return Promise.all((await this.records.list(status)).map((job) => this.describe(job.jobId)));
  }

  /** ListJobExecutionsForJob (optionally of one status). */
  async executionsOf(jobId: string, status?: ExecutionStatus): Promise<ExecutionView[]> {
    await this.describe(jobId);
    return (await this.executions.ofJob(jobId, status)).map(viewOf);
  }

  /** ListJobExecutionsForThing. */
  async executionsOfThing(thingName: string): Promise<ExecutionView[]> {
    await this.registry.things.describe(thingName);
    return (await this.executions.ofThing(thingName)).map(viewOf);
  }

  /** CancelJob: the job is CANCELED; queued executions (and IN_PROGRESS ones when `force`) are CANCELED and their things told. */
  async cancel(jobId: string, input: unknown = {}): Promise<JobView> {
    const request = parseInput(cancelJob, input ?? {});
    const job = await this.describe(jobId);
    if (job.status !== 'IN_PROGRESS') throw invalid(`job ${jobId} is ${job.status}; only a job IN_PROGRESS can be canceled`);
    await this.end(job, { ...(request.reasonCode !== undefined && { reasonCode: request.reasonCode }), ...(request.comment !== undefined && { comment: request.comment }), force: request.force ?? false });
    return this.describe(jobId);
  }

  /** CancelJobExecution: one thing's execution becomes CANCELED (an IN_PROGRESS one only with `force`); `expectedVersion` must match if given. */
  async cancelExecution(jobId: string, thingName: string, input: unknown = {}): Promise<ExecutionView> {
    const request = parseInput(cancelExecution, input ?? {});
    const execution = await this.executions.find(jobId, thingName);
    if (execution === undefined) throw notFound(`execution of job ${jobId} on thing ${thingName}`);
    if (!isPending(execution.status)) throw invalid(`the execution of job ${jobId} on thing ${thingName} is ${execution.status}, a final status`);
    if (execution.status === 'IN_PROGRESS' && !request.force) throw invalid(`the execution of job ${jobId} on thing ${thingName} is IN_PROGRESS: cancel it with force`);
    if (request.expectedVersion !== undefined && request.expectedVersion !== execution.versionNumber) {
      throw new CloudError('VersionConflictException', `the execution is at version ${execution.versionNumber}, not ${request.expectedVersion}`);
    }
    const canceled = await this.finish(execution, 'CANCELED', request.statusDetails);
    if (canceled === undefined) throw new CloudError('VersionConflictException', 'the execution ended while being canceled; read it again');
    await this.ended(jobId);
    return viewOf(canceled);
  }

  private async end(job: JobRecord, how: { reasonCode?: string; comment?: string; force: boolean }): Promise<void> {
    const now = this.now();
    if (!(await this.records.end(job.jobId, 'CANCELED', now, { ...how, forceCanceled: how.force }))) return; // ended meanwhile
    const canceled = (await this.records.find(job.jobId))!;
    await this.notifier.jobEvent(canceled, 'cancellation_in_progress', processDetails(await this.executions.countByStatus(job.jobId)));
    for (const execution of await this.executions.ofJob(job.jobId)) {
      if (execution.status === 'QUEUED' || (how.force && execution.status === 'IN_PROGRESS')) await this.finish(execution, 'CANCELED');
    }
    await this.notifier.jobEvent(canceled, 'canceled', processDetails(await this.executions.countByStatus(job.jobId)));
  }

  /** Moves a pending execution to a terminal status the service sets (CANCELED, TIMED_OUT), unless a device ended it first; returns what it wrote. */
  private async finish(execution: Execution, status: 'CANCELED' | 'TIMED_OUT', statusDetails?: Record<string, string>): Promise<Execution | undefined> {
    const done = await this.notifier.around(execution.thingName, async () => {
      for (let e: Execution | undefined = execution; e !== undefined && isPending(e.status); e = await this.executions.find(e.jobId, e.thingName)) {
        // A device may have ended it, or set a new step timeout, since it was found overdue.
        if (status === 'TIMED_OUT' && !(e.status === 'IN_PROGRESS' && Math.min(e.deadline ?? Infinity, e.stepDeadline ?? Infinity) <= this.now())) return undefined;
        const { deadline: _d, stepDeadline: _s, ...rest } = e;
        const next: Execution = { ...rest, status, versionNumber: e.versionNumber + 1, lastUpdatedAt: this.now(), ...(statusDetails && { statusDetails }) };
        if (await this.executions.replace(e, next)) return next;
      }
      return undefined;
    });
    // Executions never dispatched were never seen: no event for them.
    if (done?.queuedAt !== undefined) await this.notifier.executionEnded(done);
    return done;
  }

  /** After an execution ended: applies the abort criteria, and completes the job when nothing is left pending. */
  private async ended(jobId: string): Promise<void> {
    const job = await this.records.find(jobId);
    if (job === undefined || job.status !== 'IN_PROGRESS') return;
    const details = processDetails(await this.executions.countByStatus(jobId));
    const failed = { FAILED: details.numberOfFailedThings, REJECTED: details.numberOfRejectedThings, TIMED_OUT: details.numberOfTimedOutThings };
    const executed = details.numberOfSucceededThings + failed.FAILED + failed.REJECTED + failed.TIMED_OUT;
    for (const criterion of job.abortConfig?.criteriaList ?? []) {
      const failures = criterion.failureType === 'ALL' ? failed.FAILED + failed.REJECTED + failed.TIMED_OUT : failed[criterion.failureType];
      if (executed >= criterion.minNumberOfExecutedThings && failures * 100 >= criterion.thresholdPercentage * executed) {
        const comment = `aborted: ${failures} of ${executed} executions ended ${criterion.failureType} (threshold ${criterion.thresholdPercentage}%)`;
        return this.end(job, { reasonCode: 'ABORTED', comment, force: false });
      }
    }
    if (details.numberOfQueuedThings + details.numberOfInProgressThings > 0) return;
    if (!(await this.records.end(jobId, 'COMPLETED', this.now()))) return;
    await this.notifier.jobEvent((await this.records.find(jobId))!, 'completed', details);
  }

  /** Dispatches the executions the job's rollout allows now. */
  private async roll(job: JobRecord): Promise<void> {
    const rollout = job.jobExecutionsRolloutConfig;
    const now = this.now();
    let allowance = Number.MAX_SAFE_INTEGER;
    if (rollout) {
      const { recent, total } = await this.executions.dispatchedSince(job.jobId, now - MINUTE);
      let rate = rollout.maximumPerMinute;
      const exponential = rollout.exponentialRate;
      if (exponential) {
        const criteria = exponential.rateIncreaseCriteria;
        const [count, step] = 'numberOfNotifiedThings' in criteria
          ? [total, criteria.numberOfNotifiedThings]
          : [(await this.executions.countByStatus(job.jobId)).SUCCEEDED ?? 0, criteria.numberOfSucceededThings];
        rate = Math.min(rate, Math.floor(exponential.baseRatePerMinute * exponential.incrementFactor ** Math.floor(count / step)));
      }
      allowance = rate - recent;
    }
    if (allowance <= 0) return;
    for (const execution of await this.executions.undispatched(job.jobId, allowance)) {
      const before = await this.notifier.snapshot(execution.thingName);
      if (await this.executions.dispatch(execution, now)) await this.notifier.publishChanges(execution.thingName, before);
    }
  }

  /** One scheduling step: rollouts of jobs in progress, then timeouts. */
  async tick(): Promise<void> {
    for (const job of await this.records.list('IN_PROGRESS')) await this.roll(job);
    for (const execution of await this.executions.overdue(this.now())) {
      await this.finish(execution, 'TIMED_OUT');
      await this.ended(execution.jobId);
    }
  }

  /** Runs `tick` every `intervalMs` (default 1000) until the returned stop is called; stop waits for a tick in progress. */
  start(intervalMs = 1000): () => Promise<void> {
    let running: Promise<void> | undefined;
    const timer = setInterval(() => {
      running ??= this.tick().catch(this.onError).finally(() => (running = undefined));
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}
