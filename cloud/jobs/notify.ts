/**
 * What the jobs service tells the world, on the bus:
 * - a thing, on `$aws/things/{thing}/jobs/notify` (`{jobs: {STATUS: [summary]}, timestamp}`)
 *   when its list of pending executions changes (one added, removed, or QUEUED -> IN_PROGRESS),
 *   and on `.../notify-next` (`{execution?, timestamp}`) when the head of that list changes
 *   (absent execution: nothing is pending any more);
 * - everyone, AWS's job events: `$aws/events/job/{jobId}/{operation}` and
 *   `$aws/events/jobExecution/{jobId}/{operation}`.
 */
import { randomUUID } from 'node:crypto';
import type { MessageBus } from '../bus.js';
import type { Queryable } from '../store/database.js';
import { deviceExecutionOf, Executions, summaryOf, type Execution } from './executions.js';
import type { JobRecord } from './records.js';

const seconds = (ms: number) => Math.floor(ms / 1000);
/** The identity of a pending list, and of its head. */
const listKey = (pending: Execution[]) => pending.map((e) => `${e.jobId}:${e.status}`).join(',');

/** Counts of a job's executions by final or current status, as AWS's jobProcessDetails names them. */
export interface ProcessDetails {
  numberOfQueuedThings: number;
  numberOfInProgressThings: number;
  numberOfSucceededThings: number;
  numberOfFailedThings: number;
  numberOfRejectedThings: number;
  numberOfCanceledThings: number;
  numberOfTimedOutThings: number;
  numberOfRemovedThings: number;
}

/** A thing's ARN-like name in events (mote has no AWS account or region). */
export const thingArnOf = (thingName: string) => `arn:mote:iot:local::thing/${thingName}`;

export class Notifier {
  constructor(
    private readonly bus: MessageBus,
    private readonly db: Queryable,
    private readonly documentOf: (jobId: string) => Promise<Record<string, unknown> | undefined>,
    private readonly now: () => number,
  ) {}

  /** Runs `change` (which alters `thingName`'s executions), then publishes notify and notify-next if they changed. */
  async around<T>(thingName: string, change: () => Promise<T>): Promise<T> {
    const before = await this.snapshot(thingName);
    const result = await change();
    await this.publishChanges(thingName, before);
    return result;
  }

  /** The thing's pending list, to compare with after a change. */
  snapshot(thingName: string): Promise<Execution[]> {
    return new Executions(this.db).pending(thingName);
  }

  /** Publishes notify and notify-next for what changed since `before` (a snapshot). */
  async publishChanges(thingName: string, before: Execution[]): Promise<void> {
    const after = await this.snapshot(thingName);
    const prefix = `$aws/things/${thingName}/jobs`;
    const timestamp = seconds(this.now());
    if (listKey(before) !== listKey(after)) {
      const jobs: Record<string, ReturnType<typeof summaryOf>[]> = {};
      for (const e of after) (jobs[e.status] ??= []).push(summaryOf(e));
      await this.bus.publish(`${prefix}/notify`, JSON.stringify({ timestamp, jobs }), { qos: 1 });
    }
    const head = after[0];
    if (before[0]?.jobId !== head?.jobId) {
      const execution = head && deviceExecutionOf(head, await this.documentOf(head.jobId));
      await this.bus.publish(`${prefix}/notify-next`, JSON.stringify({ timestamp, ...(execution && { execution }) }), { qos: 1 });
    }
  }

  /** `$aws/events/jobExecution/{jobId}/{succeeded|failed|rejected|canceled|timed_out|removed}` for an execution that ended. */
  async executionEnded(e: Execution): Promise<void> {
    const operation = e.status.toLowerCase();
    await this.bus.publish(`$aws/events/jobExecution/${e.jobId}/${operation}`, JSON.stringify({
      eventType: 'JOB_EXECUTION', eventId: randomUUID(), timestamp: seconds(this.now()), operation,
      jobId: e.jobId, thingArn: thingArnOf(e.thingName), thingName: e.thingName, status: e.status,
      ...(e.statusDetails && { statusDetails: e.statusDetails }),
    }), { qos: 1 });
  }

  /** `$aws/events/job/{jobId}/{completed|canceled|cancellation_in_progress}`. */
  async jobEvent(job: JobRecord, operation: 'completed' | 'canceled' | 'cancellation_in_progress', details: ProcessDetails): Promise<void> {
    await this.bus.publish(`$aws/events/job/${job.jobId}/${operation}`, JSON.stringify({
      eventType: 'JOB', eventId: randomUUID(), timestamp: seconds(this.now()), operation, jobId: job.jobId,
      status: operation === 'cancellation_in_progress' ? 'CANCELLATION_IN_PROGRESS' : job.status, targetSelection: 'SNAPSHOT', targets: job.targets,
      ...(job.description !== undefined && { description: job.description }),
      createdAt: seconds(job.createdAt), lastUpdatedAt: seconds(job.lastUpdatedAt), ...(job.completedAt !== undefined && { completedAt: seconds(job.completedAt) }),
      ...(job.reasonCode !== undefined && { reasonCode: job.reasonCode }), ...(job.comment !== undefined && { comment: job.comment }),
      jobProcessDetails: details,
    }), { qos: 1 });
  }
}
