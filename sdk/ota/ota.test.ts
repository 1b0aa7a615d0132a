// OTA: the block downloader against a GetStream responder written from the AWS spec
// (sdk/testing/stream-responder.ts), and the whole update (job, download, verify, commit,
// reboot, self-test, confirm or roll back) with the Jobs responder, the sim HAL's Storage (its
// flash survives the simulated reset) and SimAppSlots.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDevice, Storage } from '../../firmware/hal/sim/index.js';
import type { SimFlash } from '../../firmware/hal/sim/device.js';
import { decodeCbor } from '../cbor/index.js';
import { JobsClient } from '../jobs/client.js';
import { JobRunner } from '../jobs/runner.js';
import type { ServiceError } from '../request.js';
import { JobsResponder } from '../testing/jobs-responder.js';
import { connectionPair, type TestConnection } from '../testing/router.js';
import { StreamResponder } from '../testing/stream-responder.js';
import { otaJobHandler, parseOtaDocument } from './agent.js';
import { base64Decode, base64Encode } from './base64.js';
import { SimAppSlots } from './sim-slots.js';
import { downloadFile } from './stream.js';
import { until } from '../../test/sdk-calls.js';

const timer = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('base64', () => {
  it('round-trips every length 0..70 as Buffer encodes it, and refuses bad text', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = randomBytes(n);
      expect(base64Encode(bytes)).toBe(bytes.toString('base64'));
      expect(Buffer.from(base64Decode(bytes.toString('base64')))).toEqual(bytes);
    }
    expect(() => base64Decode('abc')).toThrow(/multiple of 4/);
    expect(() => base64Decode('ab!=')).toThrow(/invalid character/);
  });
});

describe('downloadFile', () => {
  function download(device: TestConnection, size: number, extra: Partial<Parameters<typeof downloadFile>[1]> = {}) {
    const image = new Uint8Array(size);
    const written: number[] = [];
    const result = new Promise<Error | undefined>((resolve) =>
      downloadFile(device, { thingName: 'lamp', stream: 's1', size, blockSize: 256, blocksPerRequest: 8, retryMs: 15, timer, ...extra }, (offset, bytes) => {
        image.set(bytes, offset);
        written.push(offset / 256);
      }, resolve),
    );
    return { image, written, result };
  }

  it('fetches every block once, window by window, and asks again for exactly the blocks lost', async () => {
    const { device, service, router } = connectionPair();
    const streams = new StreamResponder(service);
    const file = randomBytes(256 * 20 + 100);
    streams.streams.s1 = { 0: file };
    const lost = new Set([3, 9, 10, 20]);
    router.drop = (topic, payload) => {
      if (!topic.endsWith('/data/json')) return false;
      const i = JSON.parse(Buffer.from(payload).toString()).i as number;
      return lost.delete(i); // each lost once
    };
    const { image, written, result } = download(device, file.length);
    expect(await result).toBeUndefined();
    expect(Buffer.from(image)).toEqual(file);
    expect(written.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    // The window starts at the first missing block and asks only for blocks not yet held.
    expect(streams.requests.map((r) => [r.o, r.blocks])).toEqual([
      [0, [0, 1, 2, 3, 4, 5, 6, 7]], // 3 lost
      [3, [3, 8, 9, 10]], // 9 and 10 lost
      [9, [9, 10, 11, 12, 13, 14, 15, 16]],
      [17, [17, 18, 19, 20]], // 20 lost
      [20, [20]],
    ]);
    const get = router.log.find((m) => m.topic === '$aws/things/lamp/streams/s1/get/json')!;
    expect(JSON.parse(Buffer.from(get.payload).toString())).toEqual({ c: expect.any(String), f: 0, l: 256, o: 0, n: 8, b: '/w==' });
    expect(router.filtersOf(device)).toEqual([]); // unsubscribed when done
  });

  it('gives up after the retries when no block comes, and reports a rejected request with its code', async () => {
    const { device, service, router } = connectionPair();
    const streams = new StreamResponder(service);
    streams.streams.s1 = { 0: randomBytes(1000) };
    router.drop = (topic) => topic.endsWith('/data/json');
    const silent = await download(device, 1000, { retries: 3 }).result;
    expect(silent?.message).toBe('stream s1: no new block after 3 requests (have 0 of 4)');
    expect(streams.requests).toHaveLength(3);

    router.drop = undefined;
    const missing = (await download(device, 1000, { stream: 'nope' }).result) as ServiceError;
    expect(missing.code).toBe('ResourceNotFound');
    expect(missing.message).toBe('stream nope: No file 0 in stream nope');
    const small = (await download(device, 1000, { blockSize: 100 }).result) as Error;
    expect(small.message).toMatch(/blockSize 256\.\.131072/);
  });

  it('CBOR: the same download on the /cbor topics, bitmap and payloads as byte strings', async () => {
    const { device, service, router } = connectionPair();
    const streams = new StreamResponder(service);
    const file = randomBytes(256 * 9 + 1);
    streams.streams.s1 = { 0: file };
    let lost = true;
    router.drop = (topic, payload) => topic.endsWith('/data/cbor') && lost && (decodeCbor(payload) as { i: number }).i === 4 && !(lost = false);
    const { image, result } = download(device, file.length, { format: 'cbor' });
    expect(await result).toBeUndefined();
    expect(Buffer.from(image)).toEqual(file);
    const gets = router.log.filter((m) => m.topic === '$aws/things/lamp/streams/s1/get/cbor').map((m) => decodeCbor(m.payload));
    expect(gets[0]).toEqual({ c: expect.any(String), f: 0, l: 256, o: 0, n: 8, b: new Uint8Array([0xff]) });
    expect(gets[1]).toEqual({ c: expect.any(String), f: 0, l: 256, o: 4, n: 6, b: new Uint8Array([0b110001]) }); // 4 again, 8 and 9 new
    const data = decodeCbor(router.log.find((m) => m.topic.endsWith('/data/cbor'))!.payload) as { p: Uint8Array };
    expect(data.p).toBeInstanceOf(Uint8Array);
  });

  it('fails on a block of the wrong size instead of writing it', async () => {
    const { device, service } = connectionPair();
    const streams = new StreamResponder(service);
    streams.streams.s1 = { 0: randomBytes(600) };
    const { result, written } = download(device, 700); // the device expects more than the file has
    expect((await result)?.message).toBe('stream s1: block 2 has 88 bytes, 188 expected');
    expect(written).not.toContain(2);
  });
});

describe('OTA job', () => {
  let flash: SimFlash;

  /** A device "boot": its connection, jobs client, runner and OTA handler over the same flash and slots. */
  function boot(router: ReturnType<typeof connectionPair>['router'], slots: SimAppSlots, selfTest?: (done: (ok: boolean, reason?: string) => void) => void) {
    createDevice({}, flash);
    const connection = router.connect(`lamp-${Math.random()}`);
    const jobs = new JobsClient(connection, { thingName: 'lamp' });
    const state = { rebooted: false };
    const runner = new JobRunner(jobs, {
      handlers: {
        ota: otaJobHandler({
          connection, thingName: 'lamp', slots, storage: new Storage({ domain: 'ota' }), timer, selfTest,
          blockSize: 512, blocksPerRequest: 4, retryMs: 20, reboot: () => (state.rebooted = true),
        }),
      },
    });
    runner.start();
    /** Power off: this boot's connection goes away; the bootloader runs. */
    const reset = () => {
      runner.stop();
      jobs.close();
      connection.connected = false;
      slots.reset();
    };
    return { state, reset };
  }

  function world(image: Uint8Array, document: Record<string, unknown> = {}) {
    flash = {};
    const { router, service } = connectionPair();
    const responder = new JobsResponder(service);
    const streams = new StreamResponder(service);
    streams.streams['fw-2'] = { 0: image };
    createDevice({}, flash);
    const slots = new SimAppSlots(new Storage({ domain: 'slots' }), 16 * 1024);
    responder.addJob('lamp', 'update-2', { operation: 'ota', stream: 'fw-2', size: image.length, sha256: sha(image), version: '2.0.0', ...document });
    const execution = () => responder.find('lamp', 'update-2')!;
    return { router, responder, streams, slots, execution };
  }

  it('downloads, verifies, commits and reboots; the new image passes its self-test and is confirmed: SUCCEEDED', async () => {
    const image = randomBytes(5000);
    const { router, responder, slots, execution } = world(image);
    const first = boot(router, slots);
    await until(() => first.state.rebooted, 'reboot');
    expect(slots.state()).toBe('pending');
    expect(execution().status).toBe('IN_PROGRESS');
    expect(Buffer.from(slots.slots[1]!.subarray(0, image.length))).toEqual(Buffer.from(image));
    first.reset();
    expect(slots.state()).toBe('trial');

    let tested = 0;
    boot(router, slots, (done) => {
      tested++;
      done(true);
    });
    await until(() => execution().status === 'SUCCEEDED', 'SUCCEEDED');
    expect(tested).toBe(1);
    expect(slots.state()).toBe('idle');
    expect(slots.running).toBe(1);
    expect(new Storage({ domain: 'ota' }).keys()).toEqual([]); // the record is gone once reported
    expect(responder.updates.map((u) => u.statusDetails)).toEqual([
      { step: 'downloading', received: '0', size: '5000' },
      { step: 'downloading', received: '1536', size: '5000' },
      { step: 'downloading', received: '3072', size: '5000' },
      { step: 'downloading', received: '4608', size: '5000' },
      { step: 'downloading', received: '5000', size: '5000' },
      { step: 'rebooting' },
      { step: 'confirmed' },
    ]);
  });

  it('a failing self-test rolls back and reboots into the old image: FAILED with the reason', async () => {
    const image = randomBytes(3000);
    const { router, slots, execution } = world(image);
    const first = boot(router, slots);
    await until(() => first.state.rebooted, 'reboot');
    first.reset();
    const second = boot(router, slots, (done) => done(false, 'no sensor'));
    await until(() => execution().status === 'FAILED', 'FAILED');
    expect(execution().statusDetails).toEqual({ step: 'failed', reason: 'self-test failed: no sensor' });
    await until(() => second.state.rebooted, 'reboot after rollback');
    expect(slots.state()).toBe('rolled-back');
    expect(slots.running).toBe(0);
  });

  it('a new image that resets before confirming (a crash) is rolled back by the bootloader: FAILED after the next boot', async () => {
    const image = randomBytes(2000);
    const { router, slots, execution } = world(image);
    const first = boot(router, slots);
    await until(() => first.state.rebooted, 'reboot');
    first.reset();
    slots.reset(); // the trial image crashed before the runner even started
    expect(slots.state()).toBe('rolled-back');
    boot(router, slots);
    await until(() => execution().status === 'FAILED', 'FAILED');
    expect(execution().statusDetails).toEqual({ step: 'failed', reason: 'the new image reset before it confirmed; rolled back' });
    expect(slots.running).toBe(0);
  });

  it('an image whose SHA-256 differs from the document is not committed: FAILED, no reboot', async () => {
    const image = randomBytes(2000);
    const { router, slots, execution } = world(image, { sha256: sha(randomBytes(10)) });
    const first = boot(router, slots);
    await until(() => execution().status === 'FAILED', 'FAILED');
    expect(execution().statusDetails?.reason).toBe(`SHA-256 mismatch: image has ${sha(image)}`);
    expect(first.state.rebooted).toBe(false);
    expect(slots.state()).toBe('idle');
    expect(slots.running).toBe(0);
  });

  it('a port that refuses to commit (the chip rejects the image) fails the job with its reason, no reboot', async () => {
    const image = randomBytes(1500);
    const { router, slots, execution } = world(image);
    slots.commit = () => {
      throw new Error('image not valid for this chip');
    };
    const first = boot(router, slots);
    await until(() => execution().status === 'FAILED', 'FAILED');
    expect(execution().statusDetails?.reason).toBe('commit failed: image not valid for this chip');
    expect(first.state.rebooted).toBe(false);
    expect(slots.state()).toBe('idle');
  });

  it('rejects a job whose document is not an OTA document, and one too big for a slot fails', async () => {
    expect(parseOtaDocument({ operation: 'ota', stream: 's', size: 10, sha256: 'xyz' })).toBe('sha256 must be 64 hex digits');
    expect(parseOtaDocument({ operation: 'ota', size: 10, sha256: 'a'.repeat(64) })).toBe('stream must be a stream id');
    const { router, slots, execution, responder } = world(randomBytes(100), { size: -1 });
    boot(router, slots);
    await until(() => execution().status === 'REJECTED', 'REJECTED');
    expect(execution().statusDetails).toEqual({ reason: 'not an OTA job document: size must be a positive integer' });
    responder.addJob('lamp', 'huge', { operation: 'ota', stream: 'fw-2', size: 1 << 20, sha256: 'a'.repeat(64) });
    await until(() => responder.find('lamp', 'huge')!.status === 'FAILED', 'huge FAILED');
    expect(responder.find('lamp', 'huge')!.statusDetails?.reason).toBe('image size 1048576 does not fit a slot of 16384 bytes');
  });
});
