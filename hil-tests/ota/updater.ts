/**
 * What both versions of the "ota" suite's app run (not an entry): an MQTT client for the suite's
 * cloud, the board's AppSlots, and a JobRunner whose `ota` handler (the SDK's OTA agent) updates
 * the app. The agent's reboot is the end of this boot's tests: the runner resets the board
 * (suite.json "boots": 2), which then boots from what its app slots hold.
 */
import { AppSlots, Storage, engineTimer, log } from 'mote/hal';
import { jobs, ota } from 'mote/sdk';
import { cloudClient, settings } from '../lib/device.js';

export const s = settings();
export const client = cloudClient(s);
/** Room for a test build of the app (about 100 KB on Espruino; Moddable's slots are the partitions' 64 KiB). */
export const slots = new AppSlots({ capacity: 160 * 1024 });
/** The agent's record of the job across the reset; cleared once the outcome is reported. */
export const record = new Storage({ domain: 'ota' });

/** The outcomes this boot reported, by job id: 'SUCCEEDED', or 'FAILED: <reason>'. */
export const ended: { [jobId: string]: string } = {};
let rebootWanted: (() => void) | undefined;

const agent = ota.otaJobHandler({
  // Progress every 25%: each report takes the job's update answer topics again right after the
  // last answer released them (sdk/mqtt/client/resubscribe.test.ts).
  connection: client, thingName: s.thing, slots, storage: record, timer: engineTimer, retryMs: 1000, reportEveryPercent: 25,
  reboot: () => {
    log('ota: rebooting');
    if (rebootWanted) rebootWanted();
  },
});

/** The agent, with the outcomes it reports noted in `ended`. */
const watched: jobs.JobHandler = (job) => {
  const id = job.execution.jobId;
  agent({
    execution: job.execution,
    document: job.document,
    progress: (details, done) => {
      log(`ota: ${id} ${JSON.stringify(details)}`);
      job.progress(details, done);
    },
    succeed: (details, done) => job.succeed(details, (error) => {
      if (error) log(`ota: ${id} SUCCEEDED not reported: ${error.message}`);
      else ended[id] = 'SUCCEEDED';
      if (done) done(error);
    }),
    fail: (details, done) => job.fail(details, (error) => {
      const reason = details ? String(details.reason) : '';
      if (error) log(`ota: ${id} FAILED (${reason}) not reported: ${error.message}`);
      else ended[id] = `FAILED: ${reason}`;
      if (done) done(error);
    }),
    reject: (details, done) => job.reject(details, done),
  });
};

const runner = new jobs.JobRunner(new jobs.JobsClient(client, { thingName: s.thing }), {
  handlers: { ota: watched },
  onError: (error) => log(`jobs: ${error.message}`),
});

/** Starts the job runner (the client must be connected); `onReboot` runs when the agent asks for a reset. */
export function startUpdates(onReboot: () => void, done: (error?: Error) => void): void {
  rebootWanted = onReboot;
  runner.start(done);
}
