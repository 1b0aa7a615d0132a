/**
 * JobsClient: the AWS IoT Jobs device API over MQTT for one thing, under
 * J = `$aws/things/{thing}/jobs`:
 *
 * | call                       | publishes               | answer (`/accepted`)                       |
 * |----------------------------|-------------------------|--------------------------------------------|
 * | list(done)                 | J/get                   | {inProgressJobs, queuedJobs}               |
 * | startNext(options, done)   | J/start-next            | {execution?} (absent: nothing pending)     |
 * | describe(jobId, ..., done) | J/{jobId}/get           | {execution} (`$next`: the next pending)    |
 * | update(jobId, ..., done)   | J/{jobId}/update        | {executionState?, jobDocument?}            |
 *
 * and the service's pushes: `onNotify` (J/notify: pending jobs by status) and `onNotifyNext`
 * (J/notify-next: the next pending execution, or none). A `/rejected` answer is a
 * ServiceError whose `code` is AWS's (InvalidRequest, InvalidStateTransition, ResourceNotFound,
 * VersionMismatch, TerminalStateReached, ...) and whose `response.executionState` is the
 * execution's state when the service sends it. Blocking forms take the kernel and end with
 * `ticksToWait`.
 */
import type { Kernel } from '../../firmware/kernel/kernel.js';
import type { Op } from '../../firmware/kernel/task.js';
import type { Done, MqttConnection } from '../mqtt/connection.js';
import { awaitRequest, checkName, followDocuments, Requests, serviceError, type Answer, type Cancel } from '../request.js';
import type { Outcome } from '../wait.js';

/** Set by the device: IN_PROGRESS, SUCCEEDED, FAILED, REJECTED. Set by the service: the rest. */
export type DeviceStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'REJECTED';
export type ExecutionStatus = DeviceStatus | 'QUEUED' | 'TIMED_OUT' | 'REMOVED' | 'CANCELED';

/** Name/value pairs shown to operators; AWS stores strings only. */
export type StatusDetails = { [key: string]: string };

export interface JobExecution {
  jobId: string;
  thingName: string;
  jobDocument?: { [key: string]: unknown };
  status: ExecutionStatus;
  statusDetails?: StatusDetails;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  executionNumber: number;
}

export interface JobSummary {
  jobId: string;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  executionNumber: number;
}

export interface ExecutionState {
  status: ExecutionStatus;
  statusDetails?: StatusDetails;
  versionNumber: number;
}

export interface JobList {
  inProgressJobs: JobSummary[];
  queuedJobs: JobSummary[];
  timestamp: number;
}

export interface ExecutionAnswer {
  execution?: JobExecution;
  timestamp: number;
}

export interface UpdateAnswer {
  executionState?: ExecutionState;
  jobDocument?: { [key: string]: unknown };
  timestamp: number;
}

export interface StartNextOptions {
  statusDetails?: StatusDetails;
  stepTimeoutInMinutes?: number;
}

export interface DescribeOptions {
  executionNumber?: number;
  /** Default true (AWS's default). */
  includeJobDocument?: boolean;
}

export interface UpdateOptions {
  status: DeviceStatus;
  statusDetails?: StatusDetails;
  /** The execution's versionNumber the device last saw; the service refuses with VersionMismatch if it moved. */
  expectedVersion?: number;
  executionNumber?: number;
  includeJobExecutionState?: boolean;
  includeJobDocument?: boolean;
  stepTimeoutInMinutes?: number;
}

export interface Notify {
  jobs: { [status: string]: JobSummary[] };
  timestamp: number;
}

export interface NotifyNext {
  execution?: JobExecution;
  timestamp: number;
}

function rejected(document: { code?: string; message?: string }) {
  return serviceError(typeof document.message === 'string' ? document.message : 'rejected', typeof document.code === 'string' ? document.code : 'InternalError', document);
}

export class JobsClient {
  /** `$aws/things/{thing}/jobs` */
  readonly topic: string;
  private readonly requests: Requests;

  constructor(
    private readonly connection: MqttConnection,
    options: { thingName: string },
  ) {
    this.topic = `$aws/things/${checkName('thing name', options.thingName, 128)}/jobs`;
    this.requests = new Requests(connection, { rejected });
  }

  /** The thing's pending executions (summaries). */
  list(done: Answer<JobList>): Cancel {
    return this.requests.send(`${this.topic}/get`, {}, done);
  }

  /** Starts the next pending execution (IN_PROGRESS first, then the oldest QUEUED): it becomes IN_PROGRESS. */
  startNext(options: StartNextOptions, done: Answer<ExecutionAnswer>): Cancel {
    return this.requests.send(`${this.topic}/start-next`, copyDefined(options), done);
  }

  /** One execution, with its job document; `jobId` may be `$next`. */
  describe(jobId: string, options: DescribeOptions, done: Answer<ExecutionAnswer>): Cancel {
    return this.requests.send(`${this.topic}/${jobIdOf(jobId)}/get`, copyDefined(options), done, false);
  }

  /** Sets the execution's status (and details); see UpdateOptions.expectedVersion. */
  update(jobId: string, options: UpdateOptions, done: Answer<UpdateAnswer>): Cancel {
    return this.requests.send(`${this.topic}/${jobIdOf(jobId)}/update`, copyDefined(options), done, false);
  }

  onNotify(handler: (notify: Notify) => void, done?: Done): () => void {
    return followDocuments(this.connection, `${this.topic}/notify`, handler, done);
  }

  onNotifyNext(handler: (notify: NotifyNext) => void, done?: Done): () => void {
    return followDocuments(this.connection, `${this.topic}/notify-next`, handler, done);
  }

  *listBlocking(kernel: Kernel, ticksToWait: number): Op<Outcome<JobList>> {
    return yield* awaitRequest<JobList>(kernel, (done) => this.list(done), ticksToWait);
  }

  *startNextBlocking(kernel: Kernel, options: StartNextOptions, ticksToWait: number): Op<Outcome<ExecutionAnswer>> {
    return yield* awaitRequest<ExecutionAnswer>(kernel, (done) => this.startNext(options, done), ticksToWait);
  }

  *describeBlocking(kernel: Kernel, jobId: string, options: DescribeOptions, ticksToWait: number): Op<Outcome<ExecutionAnswer>> {
    return yield* awaitRequest<ExecutionAnswer>(kernel, (done) => this.describe(jobId, options, done), ticksToWait);
  }

  *updateBlocking(kernel: Kernel, jobId: string, options: UpdateOptions, ticksToWait: number): Op<Outcome<UpdateAnswer>> {
    return yield* awaitRequest<UpdateAnswer>(kernel, (done) => this.update(jobId, options, done), ticksToWait);
  }

  close(): void {
    this.requests.close();
  }

}

function jobIdOf(jobId: string): string {
  return jobId === '$next' ? jobId : checkName('job id', jobId, 64);
}

/** The options as a request body, without undefined fields. */
function copyDefined(options: object): { [key: string]: unknown } {
  const body: { [key: string]: unknown } = {};
  for (const key of Object.keys(options)) {
    const value = (options as { [key: string]: unknown })[key];
    if (value !== undefined) body[key] = value;
  }
  return body;
}
