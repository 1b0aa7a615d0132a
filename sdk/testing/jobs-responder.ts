/**
 * FOR TESTS ONLY: the AWS IoT Jobs service's device side, written from the spec
 * (shared/specs/aws-iot-contracts.md, "Jobs") until mote's cloud has a jobs service. It answers
 * J/get, J/start-next, J/{jobId}/get and J/{jobId}/update on `/accepted` or `/rejected` with
 * AWS's documents and error codes, keeps each execution's status, versionNumber and timestamps,
 * and publishes J/notify and J/notify-next when the pending list or its head changes.
 * Engine-neutral so device scenarios run it on Espruino and XS too.
 */
import { utf8Decode } from '../bytes.js';
import type { Message, MqttConnection } from '../mqtt/connection.js';

export interface ResponderExecution {
  jobId: string;
  thingName: string;
  jobDocument: { [key: string]: unknown };
  status: string;
  statusDetails?: { [key: string]: string };
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  executionNumber: number;
}

const DEVICE_STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'];
const PENDING = ['QUEUED', 'IN_PROGRESS'];

export class JobsResponder {
  /** Every execution, in the order the jobs were queued. */
  readonly executions: ResponderExecution[] = [];
  /** Every update the device made, in order: jobId, status, details. */
  readonly updates: { jobId: string; status: string; statusDetails?: { [key: string]: string } }[] = [];
  private executionNumbers = 0;

  constructor(
    private readonly connection: MqttConnection,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    connection.subscribe('$aws/things/+/jobs/#', (m) => this.onRequest(m));
  }

  /** Queues job `jobId` for `thingName` (as CreateJob does) and notifies the thing. */
  addJob(thingName: string, jobId: string, jobDocument: { [key: string]: unknown }): void {
    const t = this.now();
    this.executions.push({ jobId, thingName, jobDocument, status: 'QUEUED', queuedAt: t, lastUpdatedAt: t, versionNumber: 1, executionNumber: ++this.executionNumbers });
    this.notify(thingName);
  }

  /** What the service does on CancelJob: the execution becomes CANCELED (a terminal state). */
  cancel(thingName: string, jobId: string): void {
    const execution = this.find(thingName, jobId);
    if (!execution) return;
    execution.status = 'CANCELED';
    execution.versionNumber++;
    execution.lastUpdatedAt = this.now();
    this.notify(thingName);
  }

  find(thingName: string, jobId: string): ResponderExecution | undefined {
    for (const e of this.executions) if (e.thingName === thingName && e.jobId === jobId) return e;
    return undefined;
  }

  private pending(thingName: string): ResponderExecution[] {
    return this.executions.filter((e) => e.thingName === thingName && PENDING.indexOf(e.status) >= 0);
  }

  /** In progress first, then the oldest queued. */
  private next(thingName: string): ResponderExecution | undefined {
    const pending = this.pending(thingName);
    for (const e of pending) if (e.status === 'IN_PROGRESS') return e;
    return pending[0];
  }

  private onRequest(message: Message): void {
    const levels = message.topic.split('/');
    const thingName = levels[2]!;
    const rest = levels.slice(4).join('/');
    if (rest === 'notify' || rest === 'notify-next' || /\/(accepted|rejected)$/.test(rest)) return;
    const reply = (suffix: string, body: { [key: string]: unknown }) =>
      this.connection.publish(`${message.topic}/${suffix}`, JSON.stringify(body), { qos: 1 });
    let request: { [key: string]: any };
    try {
      request = message.payload.length === 0 ? {} : JSON.parse(utf8Decode(message.payload));
      if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new Error('not an object');
    } catch (_) {
      return reply('rejected', { code: 'InvalidJson', message: 'Request payload is not valid JSON', timestamp: this.now() });
    }
    const token = typeof request.clientToken === 'string' ? { clientToken: request.clientToken } : {};
    const refuse = (code: string, text: string, execution?: ResponderExecution) =>
      reply('rejected', { code, message: text, timestamp: this.now(), ...token, ...(execution && { executionState: this.state(execution) }) });
    const accept = (body: { [key: string]: unknown }) => reply('accepted', { ...body, timestamp: this.now(), ...token });

    if (rest === 'get') {
      const pending = this.pending(thingName);
      return accept({
        inProgressJobs: pending.filter((e) => e.status === 'IN_PROGRESS').map(summary),
        queuedJobs: pending.filter((e) => e.status === 'QUEUED').map(summary),
      });
    }
    if (rest === 'start-next') {
      const execution = this.next(thingName);
      if (!execution) return accept({});
      if (execution.status === 'QUEUED') {
        execution.status = 'IN_PROGRESS';
        execution.startedAt = this.now();
        execution.versionNumber++;
        execution.lastUpdatedAt = execution.startedAt;
        if (request.statusDetails) execution.statusDetails = request.statusDetails;
        this.notify(thingName);
      }
      return accept({ execution: { ...execution } });
    }
    const match = /^([a-zA-Z0-9:_$-]+)\/(get|update)$/.exec(rest);
    if (!match) return refuse('InvalidTopic', `Invalid topic: ${message.topic}`);
    const jobId = match[1]!;
    const execution = jobId === '$next' ? this.next(thingName) : this.find(thingName, jobId);
    if (!execution) return refuse('ResourceNotFound', `Job execution not found: ${jobId}`);
    if (match[2] === 'get') {
      const copy: { [key: string]: unknown } = { ...execution };
      if (request.includeJobDocument === false) delete copy.jobDocument;
      return accept({ execution: copy });
    }
    // update
    if (DEVICE_STATUSES.indexOf(request.status) < 0) return refuse('InvalidRequest', `Invalid status: ${String(request.status)}`, execution);
    if (PENDING.indexOf(execution.status) < 0) return refuse('TerminalStateReached', `Job execution is in a terminal state: ${execution.status}`, execution);
    if (request.expectedVersion !== undefined && request.expectedVersion !== execution.versionNumber) return refuse('VersionMismatch', 'Version mismatch', execution);
    execution.status = request.status;
    if (request.statusDetails) execution.statusDetails = request.statusDetails;
    execution.versionNumber++;
    execution.lastUpdatedAt = this.now();
    if (!execution.startedAt) execution.startedAt = execution.lastUpdatedAt;
    this.updates.push({ jobId: execution.jobId, status: execution.status, ...(request.statusDetails && { statusDetails: request.statusDetails }) });
    accept({
      ...(request.includeJobExecutionState && { executionState: this.state(execution) }),
      ...(request.includeJobDocument && { jobDocument: execution.jobDocument }),
    });
    if (PENDING.indexOf(execution.status) < 0) this.notify(thingName);
  }

  private state(e: ResponderExecution) {
    return { status: e.status, ...(e.statusDetails && { statusDetails: e.statusDetails }), versionNumber: e.versionNumber };
  }

  /** J/notify (pending jobs by status) and J/notify-next (the head, or none). */
  private notify(thingName: string): void {
    const prefix = `$aws/things/${thingName}/jobs`;
    const pending = this.pending(thingName);
    const jobs: { [status: string]: unknown[] } = {};
    for (const e of pending) (jobs[e.status] = jobs[e.status] || []).push(summary(e));
    this.connection.publish(`${prefix}/notify`, JSON.stringify({ timestamp: this.now(), jobs }), { qos: 1 });
    const next = this.next(thingName);
    this.connection.publish(`${prefix}/notify-next`, JSON.stringify({ timestamp: this.now(), ...(next && { execution: { ...next } }) }), { qos: 1 });
  }
}

function summary(e: ResponderExecution) {
  return { jobId: e.jobId, queuedAt: e.queuedAt, ...(e.startedAt !== undefined && { startedAt: e.startedAt }), lastUpdatedAt: e.lastUpdatedAt, versionNumber: e.versionNumber, executionNumber: e.executionNumber };
}
