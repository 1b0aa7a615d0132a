/**
 * The jobs service on a store, with a clock the tests move and a bus that records what is
 * published: jobs.test.ts runs it on SQLite, postgres.test.ts on PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { topicMatches, type BusHandler, type MessageBus } from '../bus.js';
import { Registry } from '../registry/registry.js';
import type { Database } from '../store/database.js';
import type { JobsRequest } from './device-api.js';
import { JobsService } from './service.js';

const T0 = 1_767_225_600_000;
const SECOND = 1000;

/** Publishes go straight to the subscribers and are kept in `sent`. */
function recordingBus() {
  const subscriptions: { filter: string; handler: BusHandler }[] = [];
  const sent: { topic: string; body: any }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
  const bus: MessageBus = {
    subscribe: (filter, handler) => void subscriptions.push({ filter, handler }),
    publish: async (topic, payload) => {
      sent.push({ topic, body: JSON.parse(payload.toString()) });
      for (const s of subscriptions) if (topicMatches(s.filter, topic)) s.handler(topic, Buffer.from(payload), undefined);
    },
  };
  return { bus, sent, on: (topic: string) => sent.filter((m) => m.topic === topic).map((m) => m.body) };
}

export function jobsContract(open: () => Promise<Database>): void {
  async function world(things: string[]) {
    const db = await open();
    const registry = new Registry(db);
    for (const thingName of things) await registry.things.create({ thingName });
    const clock = { now: T0 };
    const { bus, sent, on } = recordingBus();
    const jobs = new JobsService(db, registry, bus, { now: () => clock.now, onError: (e) => { throw e; } });
    const ask = async (request: JobsRequest, body: object | string = {}) => {
      const answer = await jobs.device.handle(request, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
      return answer.accepted ? answer.body : { rejected: answer.body };
    };
    const device = (thingName: string) => ({
      list: () => ask({ thingName, operation: 'get' }),
      startNext: (body: object = {}) => ask({ thingName, operation: 'start-next' }, body),
      describe: (jobId: string, body: object = {}) => ask({ thingName, operation: 'describe', jobId }, body),
      update: (jobId: string, body: object | string) => ask({ thingName, operation: 'update', jobId }, body),
    });
    const statuses = async (jobId: string) => Object.fromEntries((await jobs.executionsOf(jobId)).map((e) => [e.thingName, e.status]));
    return { db, registry, jobs, clock, sent, on, device, statuses };
  }

  describe('Jobs service', () => {
    it('queues a job for things and groups (descendants included), runs it through the device API to COMPLETED', async () => {
      const { db, registry, jobs, device, on, sent } = await world(['lamp', 'fan', 'heater', 'other']);
      await registry.groups.create({ groupName: 'home' });
      await registry.groups.create({ groupName: 'kitchen', parentGroupName: 'home' });
      await registry.groups.addThing('home', 'fan');
      await registry.groups.addThing('kitchen', 'heater');
      const created = await jobs.create({ jobId: 'blink-1', targets: ['thing/lamp', 'arn:aws:iot:eu-west-1:123456789012:thinggroup/home', 'thing/fan'], document: { operation: 'blink', times: 3 } });
      expect(created).toMatchObject({ status: 'IN_PROGRESS', targetSelection: 'SNAPSHOT', jobProcessDetails: { numberOfQueuedThings: 3 } });
      expect((await jobs.executionsOf('blink-1')).map((e) => e.thingName)).toEqual(['fan', 'heater', 'lamp']);
      const summary = { jobId: 'blink-1', queuedAt: T0 / 1000, lastUpdatedAt: T0 / 1000, versionNumber: 1, executionNumber: 1 };
      expect(on('$aws/things/lamp/jobs/notify')).toEqual([{ timestamp: T0 / 1000, jobs: { QUEUED: [summary] } }]);
      expect(on('$aws/things/lamp/jobs/notify-next')).toEqual([{ timestamp: T0 / 1000, execution: { ...summary, thingName: 'lamp', status: 'QUEUED', jobDocument: { operation: 'blink', times: 3 } } }]);
      expect(on('$aws/things/other/jobs/notify')).toEqual([]);

      const lamp = device('lamp');
      expect(await lamp.list()).toEqual({ inProgressJobs: [], queuedJobs: [summary], timestamp: T0 / 1000 });
      const started = await lamp.startNext({ statusDetails: { step: 'begin' }, clientToken: 'tok-1' });
      expect(started).toEqual({
        execution: { jobId: 'blink-1', thingName: 'lamp', jobDocument: { operation: 'blink', times: 3 }, status: 'IN_PROGRESS', statusDetails: { step: 'begin' }, queuedAt: T0 / 1000, startedAt: T0 / 1000, lastUpdatedAt: T0 / 1000, versionNumber: 2, executionNumber: 1 },
        timestamp: T0 / 1000, clientToken: 'tok-1',
      });
      expect(on('$aws/things/lamp/jobs/notify').at(-1)).toEqual({ timestamp: T0 / 1000, jobs: { IN_PROGRESS: [{ ...summary, startedAt: T0 / 1000, versionNumber: 2 }] } });
      expect(await lamp.startNext()).toMatchObject({ execution: { versionNumber: 2 } }); // already started: the same one, unchanged
      expect(await lamp.update('blink-1', { status: 'SUCCEEDED', expectedVersion: 1, clientToken: 'c' })).toEqual({
        rejected: { code: 'VersionMismatch', message: 'Version mismatch: the execution is at version 2', timestamp: T0 / 1000, clientToken: 'c', executionState: { status: 'IN_PROGRESS', statusDetails: { step: 'begin' }, versionNumber: 2 } },
      });
      expect(await lamp.update('blink-1', { status: 'SUCCEEDED', statusDetails: { blinks: '3' }, expectedVersion: 2, includeJobExecutionState: true, includeJobDocument: true })).toEqual({
        executionState: { status: 'SUCCEEDED', statusDetails: { blinks: '3' }, versionNumber: 3 }, jobDocument: { operation: 'blink', times: 3 }, timestamp: T0 / 1000,
      });
      expect(on('$aws/things/lamp/jobs/notify-next').at(-1)).toEqual({ timestamp: T0 / 1000 });
      expect(await lamp.update('blink-1', { status: 'FAILED' })).toMatchObject({ rejected: { code: 'TerminalStateReached', executionState: { status: 'SUCCEEDED', versionNumber: 3 } } });
      expect(await lamp.describe('blink-1', { includeJobDocument: false })).toMatchObject({ execution: { status: 'SUCCEEDED', versionNumber: 3 } });
      expect(((await lamp.describe('blink-1', { includeJobDocument: false })) as { execution: object }).execution).not.toHaveProperty('jobDocument');
      expect(on('$aws/events/jobExecution/blink-1/succeeded')).toEqual([
        { eventType: 'JOB_EXECUTION', eventId: expect.any(String), timestamp: T0 / 1000, operation: 'succeeded', jobId: 'blink-1', thingArn: 'arn:mote:iot:local::thing/lamp', thingName: 'lamp', status: 'SUCCEEDED', statusDetails: { blinks: '3' } },
      ]);

      // A device may go from QUEUED straight to a final status; the last one completes the job.
      expect(await device('fan').update('blink-1', { status: 'REJECTED' })).toEqual({ timestamp: T0 / 1000 });
      expect(sent.some((m) => m.topic.startsWith('$aws/events/job/'))).toBe(false);
      await device('heater').update('blink-1', { status: 'SUCCEEDED' });
      expect(await jobs.describe('blink-1')).toMatchObject({ status: 'COMPLETED', completedAt: T0, jobProcessDetails: { numberOfSucceededThings: 2, numberOfRejectedThings: 1, numberOfQueuedThings: 0 } });
      expect(on('$aws/events/job/blink-1/completed')).toEqual([expect.objectContaining({
        eventType: 'JOB', operation: 'completed', jobId: 'blink-1', status: 'COMPLETED', targetSelection: 'SNAPSHOT', completedAt: T0 / 1000,
        jobProcessDetails: expect.objectContaining({ numberOfSucceededThings: 2, numberOfRejectedThings: 1 }),
      })]);
      await expect(jobs.create({ jobId: 'blink-1', targets: ['thing/lamp'], document: {} })).rejects.toThrow('job blink-1 already exists');
      await expect(jobs.create({ jobId: 'x', targets: ['thing/nope'], document: {} })).rejects.toThrow('thing nope does not exist');
      await expect(jobs.create({ jobId: 'x', targets: ['device/lamp'], document: {} })).rejects.toThrow(/a target is thing\/<thing name>/);
      await expect(jobs.create({ jobId: 'x', targets: ['thing/lamp'], document: {}, targetSelection: 'CONTINUOUS' })).rejects.toThrow(/only 'SNAPSHOT'/);
      expect((await jobs.list()).map((j) => j.jobId)).toEqual(['blink-1']); // refused creations left nothing
      await db.close();
    });

    it('refuses bad requests with AWS codes and the client token', async () => {
      const { db, jobs, device } = await world(['lamp']);
      const lamp = device('lamp');
      expect(await lamp.describe('$next')).toMatchObject({ rejected: { code: 'ResourceNotFound' } });
      await jobs.create({ jobId: 'j1', targets: ['thing/lamp'], document: { operation: 'x' } });
      const cases: [string, object | string, string, string][] = [
        ['j1', '{not json', 'InvalidJson', 'Request payload is not valid JSON'],
        ['j1', '[1]', 'InvalidJson', 'Request payload must be a JSON object'],
        ['j1', { status: 'QUEUED', clientToken: 'k' }, 'InvalidRequest', 'status must be one of IN_PROGRESS, SUCCEEDED, FAILED, REJECTED, not "QUEUED"'],
        ['j1', { status: 'IN_PROGRESS', statusDetails: { n: 1 } }, 'InvalidRequest', 'statusDetails.n must be a string of 1-1024 printable characters'],
        ['j1', { status: 'IN_PROGRESS', statusDetails: { 'a b': 'x' } }, 'InvalidRequest', `statusDetails key "a b" must be 1-128 letters, digits, ':', '_' or '-'`],
        ['j1', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 0 }, 'InvalidRequest', 'stepTimeoutInMinutes must be an integer 1-10080'],
        ['j1', { status: 'IN_PROGRESS', clientToken: 'x'.repeat(65) }, 'InvalidRequest', 'clientToken must be a string of 1-64 characters'],
        ['j1', { status: 'IN_PROGRESS', executionNumber: 2 }, 'ResourceNotFound', 'Job execution not found: job j1, thing lamp'],
        ['nope', { status: 'IN_PROGRESS' }, 'ResourceNotFound', 'Job execution not found: job nope, thing lamp'],
        ['$next', { status: 'IN_PROGRESS' }, 'InvalidTopic', 'Job id $next is only valid for get'],
      ];
      for (const [jobId, body, code, message] of cases) {
        const answer = (await lamp.update(jobId, body)) as { rejected: Record<string, unknown> };
        expect(answer.rejected).toMatchObject({ code, message, timestamp: T0 / 1000 });
        if (typeof body === 'object' && 'clientToken' in body && code !== 'InvalidRequest') expect(answer.rejected.clientToken).toBe(body.clientToken);
      }
      expect(((await lamp.update('j1', { status: 'QUEUED', clientToken: 'k' })) as { rejected: object }).rejected).toMatchObject({ clientToken: 'k' });
      expect(await lamp.describe('$next')).toMatchObject({ execution: { jobId: 'j1', status: 'QUEUED', versionNumber: 1 } }); // nothing changed
      await db.close();
    });

    it('rolls out at most maximumPerMinute, and ramps up exponentially with notified things', async () => {
      const things = Array.from({ length: 10 }, (_, i) => `t${i}`);
      const { db, jobs, clock, device } = await world(things);
      await jobs.create({ jobId: 'flat', targets: things.map((t) => `thing/${t}`), document: {}, jobExecutionsRolloutConfig: { maximumPerMinute: 3 } });
      const dispatched = async (jobId: string) => (await jobs.executionsOf(jobId)).filter((e) => e.queuedAt !== undefined).length;
      expect(await dispatched('flat')).toBe(3);
      expect(await device('t9').list()).toMatchObject({ queuedJobs: [] }); // not reached yet: invisible
      clock.now += 30 * SECOND;
      await jobs.tick();
      expect(await dispatched('flat')).toBe(3);
      clock.now += 31 * SECOND;
      await jobs.tick();
      expect(await dispatched('flat')).toBe(6);
      await jobs.cancel('flat');

      await jobs.create({
        jobId: 'ramp', targets: things.map((t) => `thing/${t}`), document: {},
        jobExecutionsRolloutConfig: { maximumPerMinute: 8, exponentialRate: { baseRatePerMinute: 1, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 1 } } },
      });
      const counts = [await dispatched('ramp')];
      for (let minute = 0; minute < 3; minute++) {
        clock.now += 61 * SECOND;
        await jobs.tick();
        counts.push(await dispatched('ramp'));
      }
      expect(counts).toEqual([1, 3, 10, 10]); // rate 1, then 1*2^1 = 2, then min(8, 2^3) = 8 (7 left)
      await db.close();
    });

    it('aborts once the failures reach the threshold after the minimum executed, canceling what is queued', async () => {
      const things = ['a', 'b', 'c', 'd'];
      const { db, jobs, device, on, statuses } = await world(things);
      await jobs.create({
        jobId: 'risky', targets: things.map((t) => `thing/${t}`), document: {},
        abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 2 }] },
      });
      await device('c').startNext();
      await device('a').update('risky', { status: 'FAILED' });
      expect((await jobs.describe('risky')).status).toBe('IN_PROGRESS'); // 1 executed: under the minimum
      await device('b').update('risky', { status: 'SUCCEEDED' });
      expect(await jobs.describe('risky')).toMatchObject({ status: 'CANCELED', reasonCode: 'ABORTED', comment: 'aborted: 1 of 2 executions ended FAILED (threshold 50%)', forceCanceled: false });
      expect(await statuses('risky')).toEqual({ a: 'FAILED', b: 'SUCCEEDED', c: 'IN_PROGRESS', d: 'CANCELED' });
      expect(on('$aws/things/d/jobs/notify-next').at(-1)).toEqual({ timestamp: T0 / 1000 });
      expect(on('$aws/events/jobExecution/risky/canceled').map((e) => e.thingName)).toEqual(['d']);
      expect(on('$aws/events/job/risky/cancellation_in_progress')).toHaveLength(1);
      expect(on('$aws/events/job/risky/canceled')).toEqual([expect.objectContaining({ status: 'CANCELED', reasonCode: 'ABORTED', jobProcessDetails: expect.objectContaining({ numberOfCanceledThings: 1, numberOfInProgressThings: 1 }) })]);
      // The one in progress may still finish; the job stays CANCELED.
      expect(await device('c').update('risky', { status: 'SUCCEEDED' })).toEqual({ timestamp: T0 / 1000 });
      expect((await jobs.describe('risky')).status).toBe('CANCELED');
      await db.close();
    });

    it('times out executions IN_PROGRESS past the job timeout or the step timeout', async () => {
      const { db, jobs, clock, device, on } = await world(['a', 'b']);
      await jobs.create({ jobId: 'slow', targets: ['thing/a'], document: {}, timeoutConfig: { inProgressTimeoutInMinutes: 1 } });
      await jobs.create({ jobId: 'steps', targets: ['thing/b'], document: {} });
      await device('a').startNext();
      await device('b').startNext({ stepTimeoutInMinutes: 2 });
      clock.now += 59 * SECOND;
      await jobs.tick();
      expect((await jobs.executionsOf('slow'))[0]!.status).toBe('IN_PROGRESS');
      await device('b').update('steps', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 3 }); // a new step: 3 minutes from now
      clock.now += 2 * SECOND;
      await jobs.tick();
      expect((await jobs.executionsOf('slow'))[0]).toMatchObject({ status: 'TIMED_OUT', versionNumber: 3 });
      expect(await device('a').update('slow', { status: 'SUCCEEDED' })).toMatchObject({ rejected: { code: 'TerminalStateReached', executionState: { status: 'TIMED_OUT' } } });
      expect(on('$aws/events/jobExecution/slow/timed_out')).toHaveLength(1);
      expect((await jobs.describe('slow')).status).toBe('COMPLETED');
      clock.now += 120 * SECOND;
      await jobs.tick();
      expect((await jobs.executionsOf('steps'))[0]!.status).toBe('IN_PROGRESS');
      clock.now += 60 * SECOND;
      await jobs.tick();
      expect((await jobs.executionsOf('steps'))[0]!.status).toBe('TIMED_OUT');
      await db.close();
    });

    it('cancels: queued executions, IN_PROGRESS ones only with force; a finished job cannot be canceled', async () => {
      const { db, jobs, device, statuses } = await world(['a', 'b']);
      await jobs.create({ jobId: 'c1', targets: ['thing/a', 'thing/b'], document: {} });
      await device('a').startNext();
      await jobs.cancel('c1', { reasonCode: 'OPERATOR', comment: 'wrong build' });
      expect(await statuses('c1')).toEqual({ a: 'IN_PROGRESS', b: 'CANCELED' });
      expect(await jobs.describe('c1')).toMatchObject({ status: 'CANCELED', reasonCode: 'OPERATOR', comment: 'wrong build' });
      await expect(jobs.cancel('c1')).rejects.toThrow('job c1 is CANCELED; only a job IN_PROGRESS can be canceled');

      await jobs.create({ jobId: 'c2', targets: ['thing/a', 'thing/b'], document: {} });
      const started = (await device('b').startNext()) as { execution: { versionNumber: number } };
      await jobs.cancel('c2', { force: true });
      expect(await statuses('c2')).toEqual({ a: 'CANCELED', b: 'CANCELED' });
      expect(await jobs.describe('c2')).toMatchObject({ forceCanceled: true });
      expect(await device('b').update('c2', { status: 'IN_PROGRESS', expectedVersion: started.execution.versionNumber })).toMatchObject({ rejected: { code: 'TerminalStateReached', executionState: { status: 'CANCELED' } } });
      await expect(jobs.cancel('nope')).rejects.toThrow('job nope does not exist');

      // One thing's execution (CancelJobExecution); the job completes when the last one ends.
      await jobs.create({ jobId: 'c3', targets: ['thing/a', 'thing/b'], document: {} });
      await device('b').startNext();
      await expect(jobs.cancelExecution('c3', 'b')).rejects.toThrow('the execution of job c3 on thing b is IN_PROGRESS: cancel it with force');
      await expect(jobs.cancelExecution('c3', 'a', { expectedVersion: 2 })).rejects.toThrow('the execution is at version 1, not 2');
      expect(await jobs.cancelExecution('c3', 'a', { expectedVersion: 1, statusDetails: { why: 'spare' } })).toMatchObject({ status: 'CANCELED', versionNumber: 2, statusDetails: { why: 'spare' } });
      await expect(jobs.cancelExecution('c3', 'a')).rejects.toThrow('the execution of job c3 on thing a is CANCELED, a final status');
      expect((await jobs.describe('c3')).status).toBe('IN_PROGRESS');
      expect(await jobs.cancelExecution('c3', 'b', { force: true })).toMatchObject({ status: 'CANCELED', versionNumber: 3 });
      expect(await jobs.describe('c3')).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfCanceledThings: 2 } });
      await expect(jobs.cancelExecution('c3', 'nobody')).rejects.toThrow('execution of job c3 on thing nobody does not exist');
      await expect(jobs.cancel('c2', { reasonCode: 'lower case' })).rejects.toThrow(/reasonCode/);
      await db.close();
    });

    it('loses no update when a device\'s requests race: each version given once', async () => {
      const { db, jobs, device } = await world(['a']);
      await jobs.create({ jobId: 'race', targets: ['thing/a'], document: {} });
      const starts = await Promise.all(Array.from({ length: 5 }, () => device('a').startNext()));
      expect(new Set(starts.map((s) => (s as { execution: { versionNumber: number } }).execution.versionNumber))).toEqual(new Set([2]));
      const n = 12;
      const answers = await Promise.all(Array.from({ length: n }, (_, i) => device('a').update('race', { status: 'IN_PROGRESS', statusDetails: { i: String(i) }, includeJobExecutionState: true })));
      const versions = answers.map((a) => (a as { executionState: { versionNumber: number } }).executionState.versionNumber).sort((x, y) => x - y);
      expect(versions).toEqual(Array.from({ length: n }, (_, i) => i + 3));
      expect((await jobs.executionsOf('race'))[0]!.versionNumber).toBe(n + 2);
      await db.close();
    });
  });
}
