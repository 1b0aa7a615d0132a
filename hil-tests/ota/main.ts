/**
 * HIL suite "ota", app v1 (first boot). It runs the OTA agent (updater.ts); the host uploads the
 * suite's v2 build (suite.json "images") to the cloud and creates OTA jobs for this thing. A job
 * whose document's SHA-256 is not the image's must fail and leave v1 in place; the real one is
 * downloaded, verified and committed, and the agent's reboot ends this boot: the runner resets
 * the board, which boots v2 (v2.ts) from its app slot.
 */
import { engineTimer, log } from 'mote/hal';
import { describe, expect, guard, run, signal, test, testDone } from 'mote/test';
import { when } from '../lib/device.js';
import { client, ended, record, s, slots, startUpdates } from './updater.js';

const VERSION = 'v1';
let rebooting = false;

describe('app v1', () => {
  test('boots as v1 from a board never updated', () => {
    log(`${VERSION} boots, slots ${slots.state()}`);
    expect(VERSION).toBe('v1');
    expect(slots.state()).toBe('idle');
    expect(record.get('job')).toBeUndefined();
  });

  testDone('connects and follows its jobs', (done) => {
    client.start();
    when(() => client.connected, () => startUpdates(() => (rebooting = true), done));
  }, { timeoutMs: 10000 });

  testDone("a job whose SHA-256 is not the image's fails after the download, and v1 stays", (done) => {
    signal('ota.deploy', { image: 'v2', jobId: 'hil-ota-bad-sha', wrongSha256: true });
    when(() => ended['hil-ota-bad-sha'] !== undefined, guard(done, () => {
      expect(ended['hil-ota-bad-sha']).toMatch(/^FAILED: SHA-256 mismatch/);
      expect(slots.state()).toBe('idle');
      expect(rebooting).toBe(false);
      signal('ota.expectFailed', { jobId: 'hil-ota-bad-sha', reason: 'SHA-256 mismatch' });
      done();
    }));
  }, { timeoutMs: 20000 });

  testDone('downloads v2, verifies and commits it, then asks for a reset', (done) => {
    signal('ota.deploy', { image: 'v2', jobId: 'hil-ota-v2' });
    when(() => rebooting, guard(done, () => {
      expect(slots.state()).toBe('pending');
      expect(record.get('job')).toBeDefined();
      done();
    }));
  }, { timeoutMs: 30000 });
});

run({ print: log, timer: engineTimer, onEnd: () => client.stop() });
