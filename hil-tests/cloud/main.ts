/**
 * HIL suite "cloud": the device SDK against a real mote cloud (the runner starts one, registers
 * this device's thing and provisions its settings in flash). The cloud's side of each check is a
 * host action the test signals (scripts/lib/hil/actions.ts).
 */
import { Digital, engineTimer, log } from 'mote/hal';
import { shadow, telemetry } from 'mote/sdk';
import { describe, expect, guard, run, signal, test, testDone } from 'mote/test';
import { cloudClient, settings, when } from '../lib/device.js';

const s = settings();
const client = cloudClient(s);
const led = new Digital({ pin: 2, mode: Digital.Output });

type Lamp = { led: 'on' | 'off' };
const mirror = new shadow.ShadowMirror<Lamp>(new shadow.ShadowClient(client, { thingName: s.thing }), {
  reported: { led: 'off' },
  desired: {
    led: (wanted) => {
      if (wanted !== 'on' && wanted !== 'off') return undefined;
      led.write(wanted === 'on' ? 1 : 0);
      return wanted;
    },
  },
  onError: (error) => log(`shadow: ${error.message}`),
});

describe('cloud', () => {
  test('settings were provisioned in flash', () => {
    expect(s.thing).toBe('hil-cloud-device');
    expect(s.token).toMatch(/^tok-/);
  });

  testDone('connects with its device token', (done) => {
    client.start();
    when(() => client.connected, done);
  });

  testDone('a desired shadow change reaches the device, which drives the LED and reports it back', (done) => {
    mirror.start(guard(done, (error) => {
      if (error) return done(error);
      expect(mirror.reported.led).toBe('off');
      signal('shadow.desire', { led: 'on' });
      when(
        () => mirror.reported.led === 'on',
        guard(done, () => {
          expect(led.read()).toBe(1);
          signal('shadow.expectReported', { led: 'on' });
          done();
        }),
      );
    }));
  }, { timeoutMs: 10000 });

  testDone("telemetry published by the device lands in the cloud's store", (done) => {
    const sensor = new telemetry.Telemetry(client, { thingName: s.thing, timer: engineTimer });
    sensor.record({ celsius: 21.5, label: 'hil' });
    sensor.flush(guard(done, (error) => {
      sensor.close();
      if (error) return done(error);
      expect(sensor.stats.sent).toBe(1);
      signal('telemetry.expect', { celsius: 21.5, label: 'hil' });
      done();
    }));
  }, { timeoutMs: 10000 });
});

run({ print: log, timer: engineTimer, onEnd: () => client.stop() });
