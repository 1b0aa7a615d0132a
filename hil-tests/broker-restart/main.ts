/**
 * HIL suite "broker-restart": the device publishes the numbers 1..COUNT at QoS 1 on
 * things/<thing>/count, one every PERIOD_MS, over a persistent session; at number RESTART_AT the
 * host restarts the cloud's broker (down DOWN_MS, same port) and publishes a command for the
 * device while it is down. The device keeps publishing into its outbox (kept in Storage),
 * reconnects with backoff, resends what was not acknowledged (DUP), and gets the command from its
 * kept session; the host then checks that every number reached the cloud.
 */
import { Storage, engineTimer, log } from 'mote/hal';
import { utf8Decode } from 'mote/sdk';
import { describe, expect, guard, run, signal, testDone } from 'mote/test';
import { cloudClient, settings, when } from '../lib/device.js';

const COUNT = 60;
const PERIOD_MS = 50;
const RESTART_AT = 10;
const DOWN_MS = 1500;

const s = settings();
const client = cloudClient(s, { clean: false, storage: new Storage({ domain: 'outbox' }), backoff: { minMs: 200, maxMs: 1000 } });
const commands: string[] = [];

describe('broker restart', () => {
  testDone('connects with a persistent session and subscribes to its commands', (done) => {
    client.start();
    when(() => client.connected, () => client.subscribe(`things/${s.thing}/cmd`, (message) => commands.push(utf8Decode(message.payload)), { qos: 1 }, done));
  });

  testDone('publishes 1..60 at QoS 1 through a broker restart; every number reaches the cloud', (done) => {
    const topic = `things/${s.thing}/count`;
    let n = 0;
    let queuedOffline = 0;
    const next = () => {
      n++;
      client.publish(topic, JSON.stringify({ n }), { qos: 1 }, (error) => {
        if (error) log(`message ${n}: ${error.message}`);
      });
      if (!client.connected) queuedOffline = Math.max(queuedOffline, client.stats().queued);
      if (n === RESTART_AT) signal('broker.restart', { downMs: DOWN_MS, send: { command: 'sent while the broker was down' } });
      if (n < COUNT) engineTimer.setTimeout(next, PERIOD_MS);
      else when(() => client.connected && client.stats().queued === 0, guard(done, () => {
        const stats = client.stats();
        log(`sent ${stats.sent} packets, ${stats.reconnects} reconnect(s), up to ${queuedOffline} queued offline, ${stats.dropped} dropped`);
        expect(stats.reconnects).toBeGreaterThanOrEqual(1);
        expect(queuedOffline).toBeGreaterThan(0);
        expect(stats.dropped).toBe(0);
        signal('mqtt.expectNumbered', { topic, count: COUNT });
        done();
      }));
    };
    next();
  }, { timeoutMs: 20000 });

  testDone('the command the cloud sent while the broker was down arrives through the kept session', (done) => {
    when(() => commands.length > 0, guard(done, () => {
      expect(JSON.parse(commands[0]!)).toEqual({ command: 'sent while the broker was down' });
      done();
    }));
  }, { timeoutMs: 5000 });
});

run({ print: log, timer: engineTimer, onEnd: () => client.stop() });
