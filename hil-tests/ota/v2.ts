/**
 * HIL suite "ota", app v2: the image the host deployed, booted by the board from its app slot
 * after v1 committed it (never run by the runner itself: its build is only uploaded). On trial,
 * the OTA agent finds its job again, confirms the image and reports SUCCEEDED.
 */
import { engineTimer, log } from 'mote/hal';
import { describe, expect, guard, run, signal, test, testDone } from 'mote/test';
import { when } from '../lib/device.js';
import { client, ended, record, slots, startUpdates } from './updater.js';

const VERSION = 'v2';
const booted = slots.state();

describe('app v2', () => {
  test('boots as v2, on trial, from the slot v1 wrote', () => {
    log(`${VERSION} boots, slots ${booted}`);
    expect(VERSION).toBe('v2');
    expect(booted).toBe('trial');
  });

  testDone('confirms the image and reports the job SUCCEEDED', (done) => {
    client.start();
    when(() => client.connected, () => startUpdates(() => done(new Error('v2 asked for a reset')), (error) => {
      if (error) return done(error);
      when(() => ended['hil-ota-v2'] !== undefined, guard(done, () => {
        expect(ended['hil-ota-v2']).toBe('SUCCEEDED');
        expect(slots.state()).toBe('idle');
        expect(record.get('job')).toBeUndefined();
        signal('ota.expectSucceeded', { jobId: 'hil-ota-v2' });
        done();
      }));
    }));
  }, { timeoutMs: 20000 });
});

run({ print: log, timer: engineTimer, onEnd: () => client.stop() });
