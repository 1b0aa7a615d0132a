/**
 * Taking a subscription again right after releasing it, as the request client does between two
 * updates of a job, against mote cloud's broker (aedes with an asynchronous policy check on each
 * SUBSCRIBE): the client holds the new SUBSCRIBE until the UNSUBACK, or the broker may apply the
 * UNSUBSCRIBE last and drop the subscription it just granted. Without that, about half of these
 * rounds lost their answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectedDevice } from '../../../cloud/jobs/testing.js';
import { call } from '../../../test/sdk-calls.js';
import { utf8Decode } from '../../bytes.js';
import type { Message } from '../connection.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('MqttClient unsubscribing and subscribing the same filter in one breath', () => {
  it('keeps the new subscription: every answer published after the SUBACK arrives', async () => {
    const { cloud, client } = await connectedDevice('lamp', cleanup);
    const topic = '$aws/things/lamp/jobs/job-1/update/accepted';
    const got: string[] = [];
    const onMessage = (m: Message) => got.push(utf8Decode(m.payload));
    await call<void>((done) => client.subscribe(topic, onMessage, { qos: 1 }, done));
    for (let round = 0; round < 20; round++) {
      client.unsubscribe(topic, onMessage);
      await call<void>((done) => client.subscribe(topic, onMessage, { qos: 1 }, done));
      await cloud.broker.bus.publish(topic, `answer ${round}`);
      const started = Date.now();
      while (!got.includes(`answer ${round}`) && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 5));
    }
    expect(got).toEqual(Array.from({ length: 20 }, (_, round) => `answer ${round}`));
  });
});
