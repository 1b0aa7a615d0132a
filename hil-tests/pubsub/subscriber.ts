/**
 * HIL suite "pubsub", the subscribing board: takes the first ping from the publishing board on
 * hil/pubsub/ping, checks whom it came from, and acknowledges it on hil/pubsub/ack.
 */
import { engineTimer, log } from 'mote/hal';
import { utf8Decode } from 'mote/sdk';
import { describe, expect, guard, run, testDone } from 'mote/test';
import { cloudClient, settings, when } from '../lib/device.js';

const s = settings();
const client = cloudClient(s);

describe('subscriber', () => {
  testDone("receives the publisher's ping and acknowledges it", (done) => {
    let got = false;
    client.start();
    when(() => client.connected, () => {
      client.subscribe('hil/pubsub/ping', guard(done, (message) => {
        if (got) return;
        got = true;
        const ping = JSON.parse(utf8Decode(message.payload)) as { seq: number; from: string };
        expect(ping.from).toBe(s.peers.publisher);
        expect(message.qos).toBe(1);
        log(`ping ${ping.seq} from ${ping.from}`);
        client.publish('hil/pubsub/ack', JSON.stringify({ seq: ping.seq, from: ping.from, by: s.thing }), { qos: 1 }, (error) => done(error));
      }), { qos: 1 }, (error) => {
        if (error) done(error);
      });
    });
  }, { timeoutMs: 20000 });
});

run({ print: log, timer: engineTimer, onEnd: () => client.stop() });
