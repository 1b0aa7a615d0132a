/**
 * HIL suite "pubsub", the publishing board: publishes a numbered ping on hil/pubsub/ping (QoS 1)
 * every 200 ms until the subscribing board acknowledges one of them on hil/pubsub/ack.
 */
import { engineTimer, log } from 'mote/hal';
import { utf8Decode } from 'mote/sdk';
import { describe, expect, guard, run, testDone } from 'mote/test';
import { cloudClient, settings, when } from '../lib/device.js';

const s = settings();
const client = cloudClient(s);

describe('publisher', () => {
  testDone('publishes pings until the subscriber acknowledges one', (done) => {
    const sent: number[] = [];
    let acked = false;
    client.start();
    when(() => client.connected, () => {
      client.subscribe('hil/pubsub/ack', guard(done, (message) => {
        if (acked) return;
        acked = true;
        const ack = JSON.parse(utf8Decode(message.payload)) as { seq: number; from: string; by: string };
        expect(ack.from).toBe(s.thing);
        expect(ack.by).toBe(s.peers.subscriber);
        expect(sent).toContain(ack.seq);
        log(`ack of ping ${ack.seq} after ${sent.length} sent`);
        done();
      }), { qos: 1 }, (error) => {
        if (error) return done(error);
        const ping = () => {
          if (acked) return;
          const seq = sent.length;
          client.publish('hil/pubsub/ping', JSON.stringify({ seq, from: s.thing }), { qos: 1 }, (e) => {
            if (e) log(`ping ${seq}: ${e.message}`);
          });
          sent.push(seq);
          engineTimer.setTimeout(ping, 200);
        };
        ping();
      });
    });
  }, { timeoutMs: 20000 });
});

run({ print: log, timer: engineTimer, onEnd: () => client.stop() });
