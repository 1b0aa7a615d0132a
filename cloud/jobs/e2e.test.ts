// End to end: the device SDK's JobsClient and JobRunner over the device MQTT client (sdk/mqtt,
// on the sim port's Node TCP) to mote's cloud (startCloud: the embedded broker with device-token
// auth and the default policy, the jobs service bound to its bus).
import { afterEach, describe, expect, it } from 'vitest';
import { JobsClient, type JobList } from '../../sdk/jobs/client.js';
import { JobRunner, type Job } from '../../sdk/jobs/runner.js';
import { call, until } from '../../test/sdk-calls.js';
import { connectedDevice, eventually } from './testing.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('jobs over the device MQTT client and the cloud broker', () => {
  it('the runner takes each job as it is created, reports progress and outcome; cancel makes it move on', async () => {
    const { cloud, client } = await connectedDevice('lamp', cleanup);
    const status = async (jobId: string) => (await cloud.jobs.executionsOf(jobId))[0];
    const jobs = new JobsClient(client, { thingName: 'lamp' });
    cleanup.push(() => jobs.close());
    let held: Job | undefined;
    const errors: string[] = [];
    const runner = new JobRunner(jobs, {
      handlers: {
        blink: (job) => job.progress({ step: 'blinking' }, () => job.succeed({ blinks: String(job.document.times) })),
        hold: (job) => job.progress({ step: 'holding' }, () => (held = job)),
      },
      onError: (error) => errors.push(`${(error as { code?: string }).code}: ${error.message}`),
    });
    cleanup.push(() => runner.stop());
    await call<void>((d) => runner.start(d));

    await cloud.jobs.create({ jobId: 'blink-1', targets: ['thing/lamp'], document: { operation: 'blink', times: 3 } });
    await eventually(async () => (await status('blink-1'))?.status === 'SUCCEEDED', 'blink-1 SUCCEEDED');
    expect(await status('blink-1')).toMatchObject({ statusDetails: { blinks: '3' }, versionNumber: 4 }); // queued 1, started 2, progress 3, done 4
    await eventually(async () => (await cloud.jobs.describe('blink-1')).status === 'COMPLETED', 'blink-1 COMPLETED');

    await cloud.jobs.create({ jobId: 'mystery', targets: ['thing/lamp'], document: { operation: 'teleport' } });
    await eventually(async () => (await status('mystery'))?.status === 'REJECTED', 'mystery REJECTED');
    expect((await status('mystery'))!.statusDetails).toEqual({ reason: 'no handler for job type teleport' });

    // A job held IN_PROGRESS, and another queued behind it.
    await cloud.jobs.create({ jobId: 'hold-1', targets: ['thing/lamp'], document: { operation: 'hold' } });
    await until(() => held !== undefined, 'hold-1 running');
    await cloud.jobs.create({ jobId: 'blink-2', targets: ['thing/lamp'], document: { operation: 'blink', times: 1 } });
    const list = await call<JobList>((d) => jobs.list(d));
    expect(list.value).toMatchObject({ inProgressJobs: [{ jobId: 'hold-1', versionNumber: 3 }], queuedJobs: [{ jobId: 'blink-2', versionNumber: 1 }] });
    await cloud.jobs.cancel('hold-1', { force: true });
    const late = await call((d) => held!.succeed({}, d));
    expect((late.error as { code?: string; response?: unknown }).code).toBe('TerminalStateReached');
    expect((late.error as { response?: unknown }).response).toMatchObject({ executionState: { status: 'CANCELED', versionNumber: 4 } });
    await eventually(async () => (await status('blink-2'))?.status === 'SUCCEEDED', 'blink-2 SUCCEEDED after the cancel');
    expect((await status('hold-1'))!.status).toBe('CANCELED');
    expect(errors).toEqual([expect.stringMatching(/^TerminalStateReached: /)]);
  });
});
