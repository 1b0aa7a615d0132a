/**
 * Engine entry (tests only): a whole OTA update on the device engine. The jobs and stream
 * responders and the router run in the same engine; one data block is lost once (so the
 * downloader retries), the image is verified, committed, the device "reboots" (the sim flash
 * and slots survive, the bootloader runs), the new image passes its self-test and is confirmed.
 * Reports the job's updates and the slots' final state through hostResult.
 */
import { createDevice, Storage } from '../../../firmware/hal/sim/index.js';
import type { SimFlash } from '../../../firmware/hal/sim/device.js';
import { VirtualTime } from '../../../firmware/hal/sim/virtual-time.js';
import { utf8Decode } from '../../bytes.js';
import { sha256, toHex } from '../../crypto/sha256.js';
import { JobsClient } from '../../jobs/client.js';
import { JobRunner } from '../../jobs/runner.js';
import { otaJobHandler } from '../../ota/agent.js';
import { SimAppSlots } from '../../ota/sim-slots.js';
import type { Timer } from '../../ota/stream.js';
import { JobsResponder } from '../jobs-responder.js';
import { connectionPair, type TestRouter } from '../router.js';
import { StreamResponder } from '../stream-responder.js';
import { seededBytes } from './inputs.js';

declare const hostResult: (value: unknown) => void;

/**
 * Time for the downloader's retry timer: simulated milliseconds, one per promise turn, so the
 * scenario is the same on every engine (XS has no setTimeout, Espruino no setImmediate).
 */
const time = new VirtualTime();
const timer: Timer = { setTimeout: (fn, ms) => time.set(fn, ms), clearTimeout: (h) => time.clear(h) };
let finished = false;
function tick(): void {
  time.runUntil(time.now + 1);
  if (!finished) void Promise.resolve().then(tick);
}
void Promise.resolve().then(tick);

const flash: SimFlash = {};
createDevice({}, flash);
const pair = connectionPair();
const router: TestRouter = pair.router;
const responder = new JobsResponder(pair.service, () => 1000);
const streams = new StreamResponder(pair.service);
const image = seededBytes(3000, 9);
streams.streams.fw = { 0: image };
responder.addJob('lamp', 'update-1', { operation: 'ota', stream: 'fw', size: image.length, sha256: toHex(sha256(image)) });
let lose = true;
router.drop = (topic, payload) => {
  if (!lose || topic.indexOf('/data/json') < 0) return false;
  if ((JSON.parse(utf8Decode(payload)) as { i: number }).i !== 2) return false;
  lose = false;
  return true;
};
const slots = new SimAppSlots(new Storage({ domain: 'slots' }), 4096);
let boots = 0;

function boot(): void {
  createDevice({}, flash);
  const connection = router.connect(`lamp-${++boots}`);
  const jobs = new JobsClient(connection, { thingName: 'lamp' });
  const runner = new JobRunner(jobs, {
    handlers: {
      ota: otaJobHandler({
        connection, thingName: 'lamp', slots, storage: new Storage({ domain: 'ota' }), timer, blockSize: 512, blocksPerRequest: 4, retryMs: 20,
        selfTest: (done) => done(true),
        reboot: () => {
          runner.stop();
          jobs.close();
          connection.connected = false;
          slots.reset();
          boot();
        },
      }),
    },
  });
  runner.start();
}

boot();
let polls = 0;
function poll(): void {
  const execution = responder.find('lamp', 'update-1')!;
  if ((execution.status === 'QUEUED' || execution.status === 'IN_PROGRESS') && ++polls < 500) {
    timer.setTimeout(poll, 5);
    return;
  }
  finished = true;
  let same = true;
  for (let i = 0; i < image.length; i++) if (slots.slots[slots.running]![i] !== image[i]) same = false;
  hostResult({ status: execution.status, updates: responder.updates.map((u) => u.statusDetails), state: slots.state(), running: slots.running, same, boots, retried: !lose });
}
poll();
