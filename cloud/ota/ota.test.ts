// OTA end to end: an image uploaded to the cloud, an OTA job for a thing, and the device SDK's
// OTA job handler (SimAppSlots, the sim HAL's Storage) over the device MQTT client to startCloud:
// download over the stream topics (JSON and CBOR), verify, commit, reboot, self-test, SUCCEEDED;
// plus the stream's refusals as a plain MQTT client (MQTT.js) sees them.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDevice, Storage } from '../../firmware/hal/sim/index.js';
import type { SimFlash } from '../../firmware/hal/sim/device.js';
import { JobsClient } from '../../sdk/jobs/client.js';
import { JobRunner } from '../../sdk/jobs/runner.js';
import type { MqttClient } from '../../sdk/mqtt/client/client.js';
import { otaJobHandler, parseOtaDocument } from '../../sdk/ota/agent.js';
import { SimAppSlots } from '../../sdk/ota/sim-slots.js';
import { until } from '../../test/sdk-calls.js';
import { connectedDevice, eventually } from '../jobs/testing.js';
import { inbox, mqttClients } from '../testing/mqtt-client.js';
import { MAX_IMAGE_BYTES } from './files.js';

const cleanup: (() => unknown)[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const timer = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };

/** One boot of the device: its jobs client, runner and OTA handler on `client`. */
function boot(client: MqttClient, slots: SimAppSlots, format: 'json' | 'cbor') {
  const jobs = new JobsClient(client, { thingName: 'lamp' });
  const state = { rebooted: false };
  const runner = new JobRunner(jobs, {
    handlers: {
      ota: otaJobHandler({
        connection: client, thingName: 'lamp', slots, storage: new Storage({ domain: 'ota' }), timer, format,
        blockSize: 1024, blocksPerRequest: 8, retryMs: 500, reboot: () => (state.rebooted = true),
      }),
    },
  });
  runner.start();
  /** Power off: the runner and connection go; the bootloader runs. */
  const reset = () => {
    runner.stop();
    jobs.close();
    client.stop();
    slots.reset();
  };
  return { state, reset };
}

describe('OTA over the cloud', () => {
  it.each(['json', 'cbor'] as const)('an uploaded image reaches the device over %s blocks; verified, rebooted, confirmed: SUCCEEDED', async (format) => {
    const { cloud, client, connect } = await connectedDevice('lamp', cleanup);
    const flash: SimFlash = {};
    createDevice({}, flash);
    const slots = new SimAppSlots(new Storage({ domain: 'slots' }), 64 * 1024);
    const image = randomBytes(40_000 + 123);
    const file = await cloud.ota.files.upload(image, { version: '2.0.0' });
    expect(file).toMatchObject({ fileId: 0, size: image.length, sha256: createHash('sha256').update(image).digest('hex'), version: '2.0.0' });
    const job = await cloud.ota.createJob({ jobId: 'update-2', streamId: file.streamId, targets: ['thing/lamp'] });
    expect(parseOtaDocument(job.document)).toEqual({ operation: 'ota', stream: file.streamId, fileId: 0, size: image.length, sha256: file.sha256, version: '2.0.0' });

    const first = boot(client, slots, format);
    await until(() => first.state.rebooted, 'reboot', 20_000);
    expect(Buffer.from(slots.slots[1]!.subarray(0, image.length))).toEqual(image);
    expect(await cloud.ota.progress('update-2')).toMatchObject([{ thingName: 'lamp', status: 'IN_PROGRESS', step: 'rebooting', percent: 100 }]);
    first.reset();
    expect(slots.state()).toBe('trial');

    boot(await connect(), slots, format);
    await eventually(async () => (await cloud.ota.progress('update-2'))[0]!.status === 'SUCCEEDED', 'SUCCEEDED', 20_000);
    expect((await cloud.ota.progress('update-2'))[0]).toMatchObject({ step: 'confirmed', percent: 100 });
    expect(slots.state()).toBe('idle');
    expect(slots.running).toBe(1);
    await eventually(async () => (await cloud.jobs.describe('update-2')).status === 'COMPLETED', 'COMPLETED');
  });

  it('answers describe, and refuses bad stream requests with AWS codes', async () => {
    const { cloud, token } = await connectedDevice('lamp', cleanup);
    const file = await cloud.ota.files.upload(randomBytes(3000), { description: 'build 7' });
    const mqtt = await clients.connect(cloud.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: token });
    const S = `$aws/things/lamp/streams/${file.streamId}`;
    await mqtt.subscribeAsync([`${S}/rejected/json`, `${S}/description/json`, `${S}/data/json`, '$aws/things/lamp/streams/nope/rejected/json'], { qos: 0 });
    const box = inbox(mqtt);
    await mqtt.publishAsync(`${S}/describe/json`, JSON.stringify({ c: 'd1' }));
    expect(await box.next(`${S}/description/json`)).toEqual({ c: 'd1', s: 1, d: 'build 7', r: [{ f: 0, z: 3000 }] });
    const refusals: [object | string, string, string][] = [
      [{ c: 'a', l: 100 }, 'BlockSizeOutOfBounds', 'The block size must be 256-131072 bytes'],
      [{ c: 'b', l: 1024, o: 3 }, 'OffsetOutOfBounds', 'The offset must be a block 0-2'],
      [{ c: 'c', l: 1024, n: 129 }, 'BlockCountLimitExceeded', 'A request asks for 1-128 blocks'],
      [{ c: 'd', l: 1024, n: 9, b: '/w==' }, 'BlockBitmapIncorrectLength', 'The bitmap for 9 blocks must be 2 bytes'],
      [{ c: 'e', l: 1024, f: 1 }, 'ResourceNotFound', `No file 1 in stream ${file.streamId}`],
      ['{oops', 'InvalidRequest', 'The request is not valid JSON'],
    ];
    for (const [request, code, message] of refusals) {
      await mqtt.publishAsync(`${S}/get/json`, typeof request === 'string' ? request : JSON.stringify(request));
      const token = typeof request === 'string' ? {} : { c: (request as { c: string }).c };
      expect(await box.next(`${S}/rejected/json`)).toEqual({ ...token, o: code, m: message });
    }
    await mqtt.publishAsync('$aws/things/lamp/streams/nope/get/json', JSON.stringify({ l: 1024 }));
    expect(await box.next('$aws/things/lamp/streams/nope/rejected/json')).toEqual({ o: 'ResourceNotFound', m: 'No file 0 in stream nope' });
    // A bitmap asks for exactly its blocks: 0 and 2 of three; the last block is short.
    await mqtt.publishAsync(`${S}/get/json`, JSON.stringify({ c: 'g', f: 0, l: 1024, o: 0, n: 3, b: Buffer.from([0b101]).toString('base64') }));
    const blocks = [await box.next(`${S}/data/json`), await box.next(`${S}/data/json`)] as { i: number; l: number; c: string }[];
    expect(blocks.map((b) => [b.c, b.i, b.l])).toEqual([['g', 0, 1024], ['g', 2, 952]]);

    await expect(cloud.ota.files.upload(Buffer.alloc(0))).rejects.toThrow('the image is empty');
    await expect(cloud.ota.files.upload(Buffer.alloc(MAX_IMAGE_BYTES + 1))).rejects.toThrow(`the image is ${MAX_IMAGE_BYTES + 1} bytes; at most ${MAX_IMAGE_BYTES} are accepted`);
    await expect(cloud.ota.createJob({ jobId: 'u', streamId: 'ota-missing', targets: ['thing/lamp'] })).rejects.toThrow('OTA stream ota-missing does not exist');
  });
});
