/**
 * The Jobs device API (shared/specs/aws-iot-contracts.md, "Jobs"), transport-free: each
 * request on J = `$aws/things/{thing}/jobs` becomes one answer for `J/.../accepted` or
 * `J/.../rejected`, with AWS's documents and error codes; changes to a thing's pending list
 * are announced by the Notifier (notify, notify-next, execution events).
 *
 * | request            | body fields read                                                                                   |
 * |--------------------|----------------------------------------------------------------------------------------------------|
 * | J/get              | clientToken                                                                                        |
 * | J/start-next       | statusDetails, stepTimeoutInMinutes, clientToken                                                   |
 * | J/{jobId}/get      | executionNumber, includeJobDocument (default true), clientToken; jobId may be `$next`              |
 * | J/{jobId}/update   | status, statusDetails, expectedVersion, executionNumber, includeJobExecutionState, includeJobDocument, stepTimeoutInMinutes, clientToken |
 *
 * statusDetails replace the stored ones when sent. Updating an execution in a terminal state is
 * refused with TerminalStateReached (as the device SDK's runner expects), with its state.
 */
import { Executions, deviceExecutionOf, executionStateOf, summaryOf, type Execution, type StatusDetails } from './executions.js';
import type { Notifier } from './notify.js';
import type { JobRecord } from './records.js';
import { deviceStatuses, isPending, type ExecutionStatus } from './schemas.js';
import type { Database } from '../store/database.js';

export type JobsErrorCode =
  | 'InvalidTopic' | 'InvalidJson' | 'InvalidRequest' | 'InvalidStateTransition' | 'ResourceNotFound'
  | 'VersionMismatch' | 'InternalError' | 'RequestThrottled' | 'TerminalStateReached';

export class JobsRequestError extends Error {
  constructor(
    readonly code: JobsErrorCode,
    message: string,
    readonly execution?: Execution,
  ) {
    super(message);
  }
}

export type JobsRequest = { thingName: string } & ({ operation: 'get' | 'start-next' } | { operation: 'describe' | 'update'; jobId: string });

export interface JobsAnswer {
  accepted: boolean;
  body: Record<string, unknown>;
}

export interface DeviceApiContext {
  db: Database;
  notifier: Notifier;
  job(jobId: string): Promise<JobRecord | undefined>;
  now(): number;
  /** An execution reached a terminal state (the service checks abort criteria and completion). */
  ended(execution: Execution): Promise<void>;
  /** Failures that became InternalError answers. */
  onError(error: Error): void;
}

type Body = Record<string, unknown>;
const MAX_STEP_MINUTES = 10080;
const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (code: JobsErrorCode, message: string, execution?: Execution): never => {
  throw new JobsRequestError(code, message, execution);
};

function parse(payload: Uint8Array): Body {
  if (payload.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return fail('InvalidJson', 'Request payload is not valid JSON');
  }
  return isObject(value) ? value : fail('InvalidJson', 'Request payload must be a JSON object');
}

function statusDetailsOf(body: Body): StatusDetails | undefined {
  const details = body.statusDetails;
  if (details === undefined) return undefined;
  if (!isObject(details)) return fail('InvalidRequest', 'statusDetails must be an object of strings');
  const entries = Object.entries(details);
  if (entries.length > 10) fail('InvalidRequest', 'statusDetails may hold at most 10 entries');
  for (const [key, value] of entries) {
    if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(key)) fail('InvalidRequest', `statusDetails key ${JSON.stringify(key)} must be 1-128 letters, digits, ':', '_' or '-'`);
    if (typeof value !== 'string' || value.length === 0 || value.length > 1024 || /\p{C}/u.test(value)) {
      fail('InvalidRequest', `statusDetails.${key} must be a string of 1-1024 printable characters`);
    }
  }
  return details as StatusDetails;
}

function integerOf(body: Body, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) return fail('InvalidRequest', `${field} must be an integer ${min}-${max}`);
  return value;
}

function booleanOf(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value !== undefined && typeof value !== 'boolean') fail('InvalidRequest', `${field} must be true or false`);
  return value as boolean | undefined;
}

export class DeviceJobsApi {
  constructor(private readonly context: DeviceApiContext) {}

  async handle(request: JobsRequest, payload: Uint8Array): Promise<JobsAnswer> {
    const timestamp = Math.floor(this.context.now() / 1000);
    let clientToken: string | undefined;
    try {
      const body = parse(payload);
      if (body.clientToken !== undefined) {
        if (typeof body.clientToken !== 'string' || body.clientToken.length === 0 || body.clientToken.length > 64) fail('InvalidRequest', 'clientToken must be a string of 1-64 characters');
        clientToken = body.clientToken as string;
      }
      const answer = await this.answer(request, body);
      return { accepted: true, body: { ...answer, timestamp, ...(clientToken !== undefined && { clientToken }) } };
    } catch (caught) {
      if (caught instanceof JobsRequestError) return rejected(caught, timestamp, clientToken);
      this.context.onError(caught as Error);
      return rejected(new JobsRequestError('InternalError', 'Internal service failure'), timestamp, clientToken);
    }
  }

  private answer(request: JobsRequest, body: Body): Promise<Body> {
    switch (request.operation) {
      case 'get': return this.list(request.thingName);
      case 'start-next': return this.startNext(request.thingName, body);
      case 'describe': return this.describe(request.thingName, request.jobId, body);
      case 'update': return this.update(request.thingName, request.jobId, body);
    }
  }

  private async list(thingName: string): Promise<Body> {
    const pending = await new Executions(this.context.db).pending(thingName);
    return {
      inProgressJobs: pending.filter((e) => e.status === 'IN_PROGRESS').map(summaryOf),
      queuedJobs: pending.filter((e) => e.status === 'QUEUED').map(summaryOf),
    };
  }

  private async startNext(thingName: string, body: Body): Promise<Body> {
    const statusDetails = statusDetailsOf(body);
    const stepMinutes = integerOf(body, 'stepTimeoutInMinutes', 1, MAX_STEP_MINUTES);
    const executions = new Executions(this.context.db);
    const started = await this.context.notifier.around(thingName, async () => {
      for (;;) {
        const head = (await executions.pending(thingName))[0];
        if (head === undefined || head.status === 'IN_PROGRESS') return head;
        const next = await this.changed(head, 'IN_PROGRESS', statusDetails, stepMinutes);
        if (await executions.replace(head, next)) return next;
      }
    });
    if (started === undefined) return {};
    return { execution: deviceExecutionOf(started, (await this.context.job(started.jobId))?.document) };
  }

  private async find(thingName: string, jobId: string, body: Body): Promise<Execution> {
    const executionNumber = integerOf(body, 'executionNumber', 1, Number.MAX_SAFE_INTEGER);
    const executions = new Executions(this.context.db);
    const execution = jobId === '$next' ? (await executions.pending(thingName))[0] : await executions.find(jobId, thingName);
    if (execution === undefined || execution.queuedAt === undefined || (executionNumber !== undefined && executionNumber !== execution.executionNumber)) {
      return fail('ResourceNotFound', jobId === '$next' ? `No pending job execution for thing ${thingName}` : `Job execution not found: job ${jobId}, thing ${thingName}`);
    }
    return execution;
  }

  private async describe(thingName: string, jobId: string, body: Body): Promise<Body> {
    const include = booleanOf(body, 'includeJobDocument') ?? true;
    const execution = await this.find(thingName, jobId, body);
    return { execution: deviceExecutionOf(execution, include ? (await this.context.job(execution.jobId))?.document : undefined) };
  }

  private async update(thingName: string, jobId: string, body: Body): Promise<Body> {
    if (jobId === '$next') fail('InvalidTopic', 'Job id $next is only valid for get');
    const status = body.status as ExecutionStatus;
    if (!deviceStatuses.includes(status)) fail('InvalidRequest', `status must be one of ${deviceStatuses.join(', ')}, not ${JSON.stringify(body.status)}`);
    const statusDetails = statusDetailsOf(body);
    const expectedVersion = integerOf(body, 'expectedVersion', 0, Number.MAX_SAFE_INTEGER);
    const stepMinutes = integerOf(body, 'stepTimeoutInMinutes', 1, MAX_STEP_MINUTES);
    const includeState = booleanOf(body, 'includeJobExecutionState') ?? false;
    const includeDocument = booleanOf(body, 'includeJobDocument') ?? false;
    const executions = new Executions(this.context.db);
    const updated = await this.context.notifier.around(thingName, async () => {
      for (;;) {
        const execution = await this.find(thingName, jobId, body);
        if (!isPending(execution.status)) fail('TerminalStateReached', `Job execution is in a terminal state: ${execution.status}`, execution);
        if (expectedVersion !== undefined && expectedVersion !== execution.versionNumber) fail('VersionMismatch', `Version mismatch: the execution is at version ${execution.versionNumber}`, execution);
        const next = await this.changed(execution, status, statusDetails, stepMinutes);
        if (await executions.replace(execution, next)) return next;
        // Another writer moved it: re-read (and refuse if the device named the version it saw).
      }
    });
    if (!isPending(updated.status)) {
      await this.context.notifier.executionEnded(updated);
      await this.context.ended(updated);
    }
    return {
      ...(includeState && { executionState: executionStateOf(updated) }),
      ...(includeDocument && { jobDocument: (await this.context.job(jobId))?.document }),
    };
  }

  /** The execution after moving to `status`: timestamps, in-progress and step deadlines. */
  private async changed(e: Execution, status: ExecutionStatus, statusDetails: StatusDetails | undefined, stepMinutes: number | undefined): Promise<Execution> {
    const now = this.context.now();
    const next: Execution = { ...e, status, versionNumber: e.versionNumber + 1, lastUpdatedAt: now, ...(statusDetails && { statusDetails }) };
    next.startedAt ??= now;
    if (!isPending(status)) {
      delete next.deadline;
      delete next.stepDeadline;
      return next;
    }
    if (e.status === 'QUEUED') {
      const minutes = (await this.context.job(e.jobId))?.timeoutConfig?.inProgressTimeoutInMinutes;
      if (minutes !== undefined) next.deadline = now + minutes * 60_000;
    }
    if (stepMinutes !== undefined) next.stepDeadline = now + stepMinutes * 60_000;
    return next;
  }
}

function rejected(error: JobsRequestError, timestamp: number, clientToken: string | undefined): JobsAnswer {
  return {
    accepted: false,
    body: {
      code: error.code, message: error.message, timestamp, ...(clientToken !== undefined && { clientToken }),
      ...(error.execution && { executionState: executionStateOf(error.execution) }),
    },
  };
}
