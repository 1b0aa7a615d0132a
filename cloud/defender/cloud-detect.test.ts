// Detect on cloud-side metrics, on a real cloud: MQTT.js devices publish, get refused and
// reconnect over loopback; the broker's hooks count it; the test moves Defender's clock past the
// window's end and evaluates it, as the cloud's timer does every second.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCloud, type Cloud } from '../cloud.js';
import { mqttClients } from '../testing/mqtt-client.js';
import type { Behavior } from './behaviors.js';
import type { Violation } from './violations.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

/** A multiple of every window length the tests use. */
const START = 1_800_000_000_000;
const MINUTE = 60_000;

async function setUp(things: string[]) {
  const clock = { now: START };
  const c = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, httpPort: null, mqttsPort: null, defender: { clock: () => clock.now } });
  clouds.push(c);
  await c.policies.create('own-topics', { Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'client/${iot:Connection.Thing.ThingName}' },
    { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: 'topic/things/${iot:Connection.Thing.ThingName}/*' },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'topicfilter/things/${iot:Connection.Thing.ThingName}/*' },
  ] });
  const tokens = new Map<string, string>();
  for (const thingName of things) {
    await c.registry.things.create({ thingName });
    const { token, tokenId } = await c.registry.principals.createToken(thingName);
    await c.policies.attach('own-topics', tokenId);
    tokens.set(thingName, token);
  }
  const connect = (thing: string) => clients.connect(c.broker.urls.mqtt, { clientId: thing, username: thing, password: tokens.get(thing)! });
  const changes: Violation[] = [];
  c.broker.bus.subscribe('$mote/defender/violations', (_topic, payload) => changes.push(JSON.parse(payload.toString()) as Violation));
  const events: { topic: string; event: { violationEventType: string; violationId: string; metricValue: { count: number } } }[] = [];
  c.broker.bus.subscribe('$aws/events/defender/violations/+', (topic, payload) => events.push({ topic, event: JSON.parse(payload.toString()) }));
  /** Publishes `count` messages of `bytes` each as the thing, and waits until the broker counted them. */
  const publish = async (thing: string, count: number, bytes = 10) => {
    const device = await connect(thing);
    for (let i = 0; i < count; i++) await device.publishAsync(`things/${thing}/data`, Buffer.alloc(bytes, 0x61), { qos: 1 });
    return device;
  };
  /** Moves the clock on and evaluates the windows that ended. */
  const advance = async (ms: number) => {
    clock.now += ms;
    await c.defender.tick();
  };
  return { c, connect, publish, advance, changes, events };
}

describe('Defender detect on cloud-side metrics', () => {
  it('raises a violation for a device that publishes too much in a window and clears it after quiet windows', async () => {
    const { c, publish, advance, changes, events } = await setUp(['lamp-1', 'lamp-2']);
    const chatty: Behavior = { name: 'chatty', metric: 'aws:num-messages-sent', comparisonOperator: 'greater-than', value: 5, durationSeconds: 300, consecutiveDatapointsToClear: 2 };
    const big: Behavior = { name: 'big-messages', metric: 'aws:message-byte-size', comparisonOperator: 'greater-than', value: 1000, durationSeconds: 60 };
    await c.defender.setBehaviors([chatty, big]);

    await publish('lamp-1', 8, 1500);
    const lamp2 = await publish('lamp-2', 2);
    await lamp2.subscribeAsync('things/lamp-2/cmd', { qos: 1 });
    for (let i = 0; i < 3; i++) await c.broker.bus.publish('things/lamp-2/cmd', 'on', { qos: 1 });
    await vi.waitFor(() => expect(c.defender.cloudMetrics.current('lamp-1', 'aws:num-messages-sent', 300)).toBe(8));
    await vi.waitFor(() => expect(c.defender.cloudMetrics.current('lamp-2', 'aws:num-messages-received', 300)).toBe(3));
    expect(c.defender.cloudMetrics.current('lamp-2', 'aws:num-messages-sent', 300)).toBe(2);
    expect(c.defender.cloudMetrics.current('lamp-1', 'aws:message-byte-size', 300)).toBe(1500);

    // The minute window ends first: only the size behaviour is evaluated.
    await advance(MINUTE);
    expect(changes.map((v) => [v.thing, v.behavior, v.state])).toEqual([['lamp-1', 'big-messages', 'active']]);
    // The five-minute window ends: lamp-1 sent 8; the minute window that ended with it was quiet.
    await advance(4 * MINUTE);
    const active = await c.defender.violations.list({ state: 'active' });
    expect(active.map((v) => [v.thing, v.behavior, v.value, v.threshold])).toEqual([['lamp-1', 'chatty', 8, '> 5']]);
    expect((await c.defender.violations.list({ state: 'cleared' })).map((v) => [v.behavior, v.value, v.threshold, v.clearedAt])).toEqual([['big-messages', 1500, '> 1000', START + 5 * MINUTE]]);
    const raised = active[0]!;
    expect(raised.startedAt).toBe(START + 5 * MINUTE);

    // One quiet window is not enough to clear (consecutiveDatapointsToClear: 2); the second is.
    await advance(5 * MINUTE);
    expect((await c.defender.violations.list({ state: 'active' })).map((v) => v.id)).toEqual([raised.id]);
    await advance(5 * MINUTE);
    expect(await c.defender.violations.list({ state: 'active' })).toEqual([]);
    expect(await c.defender.violations.list({ thing: 'lamp-1', state: 'cleared' })).toContainEqual({ ...raised, state: 'cleared', clearedAt: START + 15 * MINUTE });
    expect(changes.at(-1)).toEqual({ ...raised, state: 'cleared', clearedAt: START + 15 * MINUTE });
    // AWS's alarm events, as for report-based behaviours.
    expect(events.filter((e) => e.event.violationId === raised.id)).toEqual([
      { topic: '$aws/events/defender/violations/lamp-1', event: expect.objectContaining({ violationEventType: 'in-alarm', thingName: 'lamp-1', behavior: chatty, metricValue: { count: 8 } }) },
      { topic: '$aws/events/defender/violations/lamp-1', event: expect.objectContaining({ violationEventType: 'alarm-cleared', metricValue: { count: 0 } }) },
    ]);
    expect(await c.defender.violations.list({ thing: 'lamp-2' })).toEqual([]);
  });

  it('counts refused publishes, connection attempts and disconnects, and raises on repeated authorization failures', async () => {
    const { c, connect, advance, changes, events } = await setUp(['meter']);
    await c.defender.setBehaviors([{ name: 'probing', metric: 'aws:num-authorization-failures', comparisonOperator: 'greater-than-equals', value: 3, durationSeconds: 60 }]);
    // A wrong token: refused, yet an attempt of the thing its client id names.
    await expect(clients.connect(c.broker.urls.mqtt, { clientId: 'meter', username: 'meter', password: 'tok-none.none' })).rejects.toThrow(/Not authorized/i);

    // Publishing outside its policy closes the connection (MQTT 3.1.1 has no negative PUBACK): the device reconnects and tries again.
    for (let i = 0; i < 3; i++) {
      const device = await connect('meter');
      device.publish('things/other/cmd', 'x');
      await new Promise<void>((closed) => device.once('close', () => closed()));
    }
    const value = (metric: Parameters<typeof c.defender.cloudMetrics.current>[1]) => c.defender.cloudMetrics.current('meter', metric, 60);
    await vi.waitFor(() => expect(value('aws:num-disconnects')).toBe(3));
    expect(value('aws:num-authorization-failures')).toBe(3);
    expect(value('aws:num-connection-attempts')).toBe(4);
    expect(value('aws:num-messages-sent')).toBe(0);

    await advance(MINUTE);
    expect(await c.defender.violations.list()).toEqual([
      { id: expect.any(String), thing: 'meter', behavior: 'probing', metric: 'aws:num-authorization-failures', value: 3, threshold: '>= 3', state: 'active', startedAt: START + MINUTE },
    ]);
    // The next window starts from nothing.
    expect(value('aws:num-authorization-failures')).toBe(0);

    // Changing the behaviour clears its violation on the dashboard's topic, without an alarm event.
    const raised = (await c.defender.violations.list())[0]!;
    await c.defender.setBehaviors([{ name: 'probing', metric: 'aws:num-authorization-failures', comparisonOperator: 'greater-than-equals', value: 10, durationSeconds: 60 }]);
    expect(await c.defender.violations.list()).toEqual([{ ...raised, state: 'cleared', clearedAt: START + MINUTE }]);
    expect(changes.map((v) => v.state)).toEqual(['active', 'cleared']);
    expect(events.map((e) => e.event.violationEventType)).toEqual(['in-alarm']);
  });

  it('flags the one outlier against the fleet\'s p90 and none of the others', async () => {
    const fleet = { 'pump-1': 3, 'pump-2': 4, 'pump-3': 3, 'pump-4': 5, 'pump-5': 40 };
    const { c, publish, advance } = await setUp(Object.keys(fleet));
    await c.defender.setBehaviors([{ name: 'unusual-traffic', metric: 'aws:num-messages-sent', comparisonOperator: 'greater-than', statisticalThreshold: { statistic: 'p90' }, durationSeconds: 300 }]);
    for (const [thing, count] of Object.entries(fleet)) await publish(thing, count);
    await vi.waitFor(() => expect(c.defender.cloudMetrics.current('pump-5', 'aws:num-messages-sent', 300)).toBe(40));

    await advance(5 * MINUTE);
    // Sorted 3, 3, 4, 5, 40: rank 0.9 × 4 = 3.6, so p90 = 5 + 0.6 × (40 − 5) = 26.
    expect((await c.defender.violations.list()).map((v) => [v.thing, v.value, v.threshold])).toEqual([['pump-5', 40, '> p90 (26)']]);

    // A thing deleted from the registry leaves the fleet; its violation is cleared at the next window's end.
    await c.registry.things.delete('pump-5');
    await advance(5 * MINUTE);
    expect((await c.defender.violations.list()).map((v) => [v.thing, v.state, v.clearedAt])).toEqual([['pump-5', 'cleared', START + 10 * MINUTE]]);
  });

  it('refuses a statistical threshold on a device-side metric and a cloud-side metric without a window', async () => {
    const { c } = await setUp([]);
    const { behaviors } = await import('./behaviors.js');
    const issues = (list: unknown) => behaviors.safeParse(list).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues([{ name: 'a', metric: 'aws:all-bytes-out', comparisonOperator: 'greater-than', statisticalThreshold: { statistic: 'p99' } }])).toEqual(['0.statisticalThreshold: aws:all-bytes-out is read from each metrics report: statistical thresholds need a cloud-side metric']);
    expect(issues([{ name: 'b', metric: 'aws:num-disconnects', comparisonOperator: 'greater-than', value: 1 }])).toEqual(['0.durationSeconds: aws:num-disconnects is measured by the cloud over a window: durationSeconds is required']);
    expect(issues([{ name: 'c', metric: 'aws:num-disconnects', comparisonOperator: 'greater-than', value: 1, statisticalThreshold: { statistic: 'p50' }, durationSeconds: 60 }])).toEqual(['0.value: give either value or statisticalThreshold']);
    expect(issues([{ name: 'd', metric: 'aws:num-disconnects', comparisonOperator: 'greater-than', statisticalThreshold: { statistic: 'p42' }, durationSeconds: 60 }])?.[0]).toMatch(/^0\.statisticalThreshold\.statistic: /);
    expect(c.defender.listBehaviors()).toEqual([]);
  });
});
