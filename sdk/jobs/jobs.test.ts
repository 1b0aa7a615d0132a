// JobsClient and JobRunner against a Jobs responder written from the AWS spec
// (sdk/testing/jobs-responder.ts; mote's cloud jobs service is a later issue), over the
// in-process connection pair.
import { describe, expect, it } from 'vitest';
import { Kernel, VirtualClock } from '../../firmware/kernel/index.js';
import { utf8Decode } from '../bytes.js';
import type { ServiceError } from '../request.js';
import { JobsResponder } from '../testing/jobs-responder.js';
import { connectionPair } from '../testing/router.js';
import { JobsClient, type ExecutionAnswer, type JobList, type NotifyNext, type UpdateAnswer } from './client.js';
import { JobRunner, type Job } from './runner.js';
import { call, until } from '../../test/sdk-calls.js';


function setup() {
  const pair = connectionPair();
  let now = 1_800_000_000;
  const responder = new JobsResponder(pair.service, () => now++);
  return { ...pair, responder, jobs: new JobsClient(pair.device, { thingName: 'lamp' }) };
}

describe('JobsClient', () => {
  it('list, start-next, describe and update with the documents and topics of the AWS Jobs API', async () => {
    const { jobs, responder, router } = setup();
    responder.addJob('lamp', 'job-1', { operation: 'blink', times: 3 });
    responder.addJob('lamp', 'job-2', { operation: 'blink', times: 1 });
    responder.addJob('other', 'job-3', { operation: 'blink' });

    const listed = await call<JobList>((d) => jobs.list(d));
    expect(listed.value?.queuedJobs.map((j) => j.jobId)).toEqual(['job-1', 'job-2']);
    expect(listed.value?.inProgressJobs).toEqual([]);

    const started = await call<ExecutionAnswer>((d) => jobs.startNext({ statusDetails: { step: 'starting' } }, d));
    expect(started.value?.execution).toMatchObject({ jobId: 'job-1', thingName: 'lamp', status: 'IN_PROGRESS', versionNumber: 2, jobDocument: { operation: 'blink', times: 3 }, statusDetails: { step: 'starting' } });

    const next = await call<ExecutionAnswer>((d) => jobs.describe('$next', {}, d));
    expect(next.value?.execution?.jobId).toBe('job-1');
    const bare = await call<ExecutionAnswer>((d) => jobs.describe('job-2', { includeJobDocument: false }, d));
    expect(bare.value?.execution).toMatchObject({ jobId: 'job-2', status: 'QUEUED' });
    expect(bare.value?.execution?.jobDocument).toBeUndefined();

    const updated = await call<UpdateAnswer>((d) => jobs.update('job-1', { status: 'SUCCEEDED', expectedVersion: 2, includeJobExecutionState: true, statusDetails: { blinked: '3' } }, d));
    expect(updated.value?.executionState).toEqual({ status: 'SUCCEEDED', statusDetails: { blinked: '3' }, versionNumber: 3 });

    const topics = router.log.filter((m) => m.from === 'device').map((m) => m.topic);
    expect(topics).toEqual([
      '$aws/things/lamp/jobs/get', '$aws/things/lamp/jobs/start-next', '$aws/things/lamp/jobs/$next/get',
      '$aws/things/lamp/jobs/job-2/get', '$aws/things/lamp/jobs/job-1/update',
    ]);
    const update = JSON.parse(utf8Decode(router.log.find((m) => m.topic.endsWith('job-1/update'))!.payload));
    expect(update).toEqual({ status: 'SUCCEEDED', expectedVersion: 2, includeJobExecutionState: true, statusDetails: { blinked: '3' }, clientToken: expect.any(String) });
    // Per-job answer topics are released once answered; the shared ones stay.
    await until(() => !router.filtersOf(jobs['connection'] as never).some((f) => f.includes('job-1')), 'release');
    expect(router.filtersOf(jobs['connection'] as never).sort()).toEqual([
      '$aws/things/lamp/jobs/get/accepted', '$aws/things/lamp/jobs/get/rejected',
      '$aws/things/lamp/jobs/start-next/accepted', '$aws/things/lamp/jobs/start-next/rejected',
    ]);
  });

  it('refusals carry AWS codes: VersionMismatch (with the execution state), TerminalStateReached, ResourceNotFound, InvalidRequest', async () => {
    const { jobs, responder } = setup();
    responder.addJob('lamp', 'job-1', { operation: 'x' });
    await call((d) => jobs.startNext({}, d));
    const stale = await call((d) => jobs.update('job-1', { status: 'IN_PROGRESS', expectedVersion: 1 }, d));
    expect(stale.error?.code).toBe('VersionMismatch');
    expect(stale.error?.response).toMatchObject({ code: 'VersionMismatch', executionState: { status: 'IN_PROGRESS', versionNumber: 2 }, clientToken: expect.any(String) });
    await call((d) => jobs.update('job-1', { status: 'FAILED' }, d));
    expect((await call((d) => jobs.update('job-1', { status: 'IN_PROGRESS' }, d))).error?.code).toBe('TerminalStateReached');
    expect((await call((d) => jobs.describe('nope', {}, d))).error?.code).toBe('ResourceNotFound');
    expect((await call((d) => jobs.update('job-1', { status: 'QUEUED' as never }, d))).error?.code).toBe('InvalidRequest');
    expect(() => jobs.update('bad/id', { status: 'FAILED' }, () => undefined)).toThrow(/job id/);
  });

  it('onNotifyNext hears of a new job and of an empty queue', async () => {
    const { jobs, responder } = setup();
    const heard: NotifyNext[] = [];
    await call<void>((d) => jobs.onNotifyNext((n) => heard.push(n), d));
    responder.addJob('lamp', 'job-1', { operation: 'x' });
    await until(() => heard.length === 1, 'notify-next');
    expect(heard[0]!.execution).toMatchObject({ jobId: 'job-1', status: 'QUEUED' });
    await call((d) => jobs.update('job-1', { status: 'REJECTED' }, d));
    await until(() => heard.length === 2, 'second notify-next');
    expect(heard[1]!.execution).toBeUndefined();
  });

  it('blocking forms run in a task', async () => {
    const { jobs, responder } = setup();
    responder.addJob('lamp', 'job-1', { operation: 'x' });
    const kernel = new Kernel();
    const clock = new VirtualClock(kernel);
    const log: string[] = [];
    kernel.createTask('jobs', 1, function* () {
      const next = yield* jobs.startNextBlocking(kernel, {}, 100);
      if (!next.ok || !next.value.execution) throw new Error('no job');
      const done = yield* jobs.updateBlocking(kernel, next.value.execution.jobId, { status: 'SUCCEEDED', expectedVersion: next.value.execution.versionNumber }, 100);
      log.push(done.ok ? 'succeeded' : done.error.message);
      const list = yield* jobs.listBlocking(kernel, 100);
      log.push(list.ok ? `pending ${list.value.queuedJobs.length + list.value.inProgressJobs.length}` : list.error.message);
      yield* kernel.suspend();
    });
    clock.start();
    await until(() => log.length === 2, 'the task');
    expect(log).toEqual(['succeeded', 'pending 0']);
    expect(responder.find('lamp', 'job-1')?.status).toBe('SUCCEEDED');
  });
});

describe('JobRunner', () => {
  it('runs queued jobs in order by type, reporting progress then the outcome; rejects unknown types; fails a throwing handler', async () => {
    const { jobs, responder } = setup();
    responder.addJob('lamp', 'job-1', { operation: 'blink', times: 2 });
    responder.addJob('lamp', 'job-2', { operation: 'reboot' });
    responder.addJob('lamp', 'job-3', { operation: 'explode' });
    responder.addJob('lamp', 'job-4', { nothing: true });
    const blinked: unknown[] = [];
    const runner = new JobRunner(jobs, {
      handlers: {
        blink: (job) => {
          blinked.push(job.document.times);
          job.progress({ step: 'blinking' }, () => job.succeed({ blinked: String(job.document.times) }));
        },
        explode: () => {
          throw new Error('boom');
        },
      },
    });
    await call<void>((d) => runner.start(d));
    await until(() => responder.executions.every((e) => e.status !== 'QUEUED' && e.status !== 'IN_PROGRESS'), 'all jobs');
    expect(blinked).toEqual([2]);
    expect(responder.updates).toEqual([
      { jobId: 'job-1', status: 'IN_PROGRESS', statusDetails: { step: 'blinking' } },
      { jobId: 'job-1', status: 'SUCCEEDED', statusDetails: { blinked: '2' } },
      { jobId: 'job-2', status: 'REJECTED', statusDetails: { reason: 'no handler for job type reboot' } },
      { jobId: 'job-3', status: 'FAILED', statusDetails: { reason: 'boom' } },
      { jobId: 'job-4', status: 'REJECTED', statusDetails: { reason: 'job document names no type' } },
    ]);
    expect(runner.running).toBeUndefined();

    // A job queued later is picked up through notify-next.
    responder.addJob('lamp', 'job-5', { operation: 'blink', times: 7 });
    await until(() => responder.find('lamp', 'job-5')?.status === 'SUCCEEDED', 'job-5');
    expect(blinked).toEqual([2, 7]);
  });

  it('a job canceled while it runs: the next update is refused, the runner reports it and moves on', async () => {
    const { jobs, responder } = setup();
    responder.addJob('lamp', 'job-1', { operation: 'slow' });
    responder.addJob('lamp', 'job-2', { operation: 'slow' });
    const running: Job[] = [];
    const errors: Error[] = [];
    const runner = new JobRunner(jobs, { handlers: { slow: (job) => void running.push(job) }, onError: (e) => errors.push(e) });
    runner.start();
    await until(() => running.length === 1, 'job-1 running');
    responder.cancel('lamp', 'job-1');
    const refused = await call((d) => running[0]!.progress({ step: 'half' }, d));
    expect(refused.error?.code).toBe('TerminalStateReached');
    expect(errors.map((e) => (e as ServiceError).code)).toEqual(['TerminalStateReached']);
    await until(() => running.length === 2, 'job-2 running');
    expect(running[1]!.execution.jobId).toBe('job-2');
    running[1]!.succeed();
    const twice = await call((d) => running[1]!.fail({}, d));
    expect(twice.error?.message).toMatch(/already ended/);
    await until(() => responder.find('lamp', 'job-2')?.status === 'SUCCEEDED', 'job-2 done');
  });

  it('an execution left IN_PROGRESS (a reset) comes back first, with its version', async () => {
    const { jobs, responder } = setup();
    responder.addJob('lamp', 'job-1', { operation: 'x' });
    responder.addJob('lamp', 'job-2', { operation: 'x' });
    // The device had started job-2 (and reported on it) before it reset.
    const e2 = responder.find('lamp', 'job-2')!;
    e2.status = 'IN_PROGRESS';
    e2.versionNumber = 5;
    const seen: string[] = [];
    const runner = new JobRunner(jobs, { handlers: { x: (job) => (seen.push(`${job.execution.jobId} v${job.execution.versionNumber}`), job.succeed()) } });
    runner.start();
    await until(() => seen.length === 2, 'both jobs');
    expect(seen).toEqual(['job-2 v5', 'job-1 v2']);
  });
});
