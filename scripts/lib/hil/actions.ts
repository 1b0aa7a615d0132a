/**
 * What the host does when a device test calls `signal(name, data)` (firmware/test/runner.ts):
 * the cloud-side half of SDK↔cloud tests. An action that throws fails the test that signalled,
 * with the action's message. Host-side.
 */
import { createHash } from 'node:crypto';
import type { Cloud } from '../../../cloud/cloud.js';

export interface ActionContext {
  cloud: Cloud | undefined;
  /** The thing of the device that signalled. */
  thing: string;
  /** The payloads the cloud's bus carried on `topic` (under `things/`) since the suite's cloud started, in order. */
  heard(topic: string): Buffer[];
  /** Adds a line to the device's log (shown with its results), for what the host saw but does not fail on. */
  log(line: string): void;
  /** The suite's images (suite.json `images`) built for this target, as `ota.deploy` uploads them. */
  images: Record<string, Buffer>;
}

export type Action = (context: ActionContext, data: unknown) => Promise<void>;

const CHECK_MS = 5000;

function needCloud(context: ActionContext): Cloud {
  if (!context.cloud) throw new Error('this suite has no cloud (set "cloud": true in suite.json)');
  return context.cloud;
}

/** Whether `actual` has every key of `expected` with an equal value (recursively for objects). */
export function includes(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) return JSON.stringify(actual) === JSON.stringify(expected);
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(expected).every(([key, value]) => includes((actual as Record<string, unknown>)[key], value));
}

/** Polls `check` (true: done) until it holds or CHECK_MS passes; then throws `failure()`. */
async function eventually(check: () => Promise<boolean> | boolean, failure: () => Promise<string> | string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > CHECK_MS) throw new Error(await failure());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function reportedState(cloud: Cloud, thing: string): Promise<unknown> {
  const outcome = (await cloud.shadows.get({ thingName: thing })) as { accepted: boolean; response: { state?: { reported?: unknown } } };
  return outcome.accepted ? outcome.response.state?.reported : undefined;
}

/** The numbers `n` of the JSON payloads `{n}` heard on `topic`, in arrival order (other payloads are skipped). */
function numbersHeard(context: ActionContext, topic: string): number[] {
  const numbers: number[] = [];
  for (const payload of context.heard(topic)) {
    try {
      const n = (JSON.parse(payload.toString('utf8')) as { n?: unknown }).n;
      if (typeof n === 'number') numbers.push(n);
    } catch {
      // not one of the numbered messages
    }
  }
  return numbers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks that the device's execution of `jobId` comes to `status`, its reason including `reason`. */
async function expectExecution(context: ActionContext, data: unknown, status: 'SUCCEEDED' | 'FAILED'): Promise<void> {
  const cloud = needCloud(context);
  const { jobId, reason } = (data ?? {}) as { jobId?: unknown; reason?: unknown };
  if (typeof jobId !== 'string') throw new Error(`host: needs {jobId}, got ${JSON.stringify(data)}`);
  const mine = async () => (await cloud.ota.progress(jobId)).find((p) => p.thingName === context.thing);
  await eventually(
    async () => {
      const progress = await mine();
      return progress?.status === status && (typeof reason !== 'string' || (progress.reason ?? '').includes(reason));
    },
    async () => `host: ${context.thing}'s execution of ${jobId} is ${JSON.stringify(await mine())}, expected ${status}${typeof reason === 'string' ? ` with a reason including "${reason}"` : ''}`,
  );
}

export const actions: Record<string, Action> = {
  /** Sets desired state in the device's classic shadow, as a cloud application would: data = the desired object. */
  'shadow.desire': async (context, data) => {
    await needCloud(context).broker.bus.publish(`$aws/things/${context.thing}/shadow/update`, JSON.stringify({ state: { desired: data } }));
  },
  /** Checks that the cloud's copy of the shadow's reported state comes to include `data`. */
  'shadow.expectReported': async (context, data) => {
    const cloud = needCloud(context);
    await eventually(
      async () => includes(await reportedState(cloud, context.thing), data),
      async () => `host: the cloud's reported state is ${JSON.stringify(await reportedState(cloud, context.thing))}, expected it to include ${JSON.stringify(data)}`,
    );
  },
  /** Checks that the cloud's telemetry store comes to hold an entry from this device whose measurements include `data`. */
  'telemetry.expect': async (context, data) => {
    const cloud = needCloud(context);
    const entries = () => cloud.telemetry.entries(context.thing);
    await eventually(
      async () => (await entries()).some((entry) => includes(entry.m, data)),
      async () => `host: no telemetry entry from ${context.thing} with ${JSON.stringify(data)} in the cloud's store (stored: ${JSON.stringify(await entries())})`,
    );
  },
  /**
   * Uploads the suite's image `image` (built for this target) to the cloud's OTA service and
   * creates the OTA job `jobId` for the device's thing. With `wrongSha256`, the job's document
   * gives the SHA-256 of another image (as a damaged transfer would look), so it must fail.
   */
  'ota.deploy': async (context, data) => {
    const cloud = needCloud(context);
    const { image, jobId, wrongSha256 } = (data ?? {}) as { image?: unknown; jobId?: unknown; wrongSha256?: unknown };
    if (typeof image !== 'string' || typeof jobId !== 'string') throw new Error(`host: ota.deploy needs {image, jobId}, got ${JSON.stringify(data)}`);
    const bytes = context.images[image];
    if (!bytes) throw new Error(`host: no image "${image}" in suite.json "images" (images: ${Object.keys(context.images).join(', ') || 'none'})`);
    const file = await cloud.ota.files.upload(bytes, { version: image });
    const targets = [`thing/${context.thing}`];
    if (wrongSha256 === true) {
      const sha256 = createHash('sha256').update(bytes).update('another image').digest('hex');
      await cloud.jobs.create({ jobId, targets, document: { operation: 'ota', stream: file.streamId, fileId: file.fileId, size: file.size, sha256, version: image } });
    } else await cloud.ota.createJob({ jobId, streamId: file.streamId, targets });
    context.log(`(host) OTA job ${jobId}: image ${image}, ${bytes.length} bytes on stream ${file.streamId}${wrongSha256 === true ? ', the document giving a wrong SHA-256' : ''}`);
  },
  /** Checks that the device's execution of the job `jobId` ends SUCCEEDED. */
  'ota.expectSucceeded': (context, data) => expectExecution(context, data, 'SUCCEEDED'),
  /** Checks that the device's execution of the job `jobId` ends FAILED, its reason including `reason` when given. */
  'ota.expectFailed': (context, data) => expectExecution(context, data, 'FAILED'),
  /**
   * Restarts the cloud's MQTT broker (Broker.restart: every connection dropped, the same port
   * again after `downMs`, sessions kept); with `send`, publishes it (JSON, QoS 1) on
   * `things/<thing>/cmd` while the broker is down, for the device's kept session to deliver.
   */
  'broker.restart': async (context, data) => {
    const cloud = needCloud(context);
    const { downMs, send } = (data ?? {}) as { downMs?: unknown; send?: unknown };
    if (typeof downMs !== 'number' || !(downMs >= 0 && downMs <= 30_000)) throw new Error(`host: broker.restart needs {downMs: 0-30000}, got ${JSON.stringify(data)}`);
    const back = cloud.broker.restart(downMs);
    if (send !== undefined) {
      await sleep(downMs / 2);
      await cloud.broker.bus.publish(`things/${context.thing}/cmd`, JSON.stringify(send), { qos: 1 });
    }
    await back;
    context.log(`(host) broker restarted after ${downMs} ms down`);
  },
  /**
   * Checks that every number 1..`count` came to the cloud on `topic` as `{n}` (QoS 1 is at least
   * once: none may be missing); numbers heard more than once are logged, not failed on.
   */
  'mqtt.expectNumbered': async (context, data) => {
    const { topic, count } = (data ?? {}) as { topic?: unknown; count?: unknown };
    if (typeof topic !== 'string' || typeof count !== 'number' || !(count >= 1)) throw new Error(`host: mqtt.expectNumbered needs {topic, count}, got ${JSON.stringify(data)}`);
    needCloud(context);
    const missing = () => {
      const heard = new Set(numbersHeard(context, topic));
      return Array.from({ length: count }, (_, i) => i + 1).filter((n) => !heard.has(n));
    };
    await eventually(
      () => missing().length === 0,
      () => `host: ${missing().length} of ${count} numbers never reached the cloud on ${topic}: ${missing().join(', ')}`,
    );
    const numbers = numbersHeard(context, topic);
    const twice = [...new Set(numbers.filter((n, i) => numbers.indexOf(n) !== i))];
    context.log(`(host) ${topic}: all ${count} numbers arrived, in ${numbers.length} messages${twice.length > 0 ? `; more than once: ${twice.join(', ')}` : '; none twice'}`);
  },
};
