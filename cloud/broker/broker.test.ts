// The embedded broker with a real MQTT client (MQTT.js) over loopback: token auth, policies,
// presence, connectivity and the shadow service on its AWS topics.
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../cloud.js';
import { inbox, mqttClients } from '../testing/mqtt-client.js';
import type { SecurityEvent } from './authorizer.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
const connect = clients.connect;
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

async function cloud() {
  const events: SecurityEvent[] = [];
  const started = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: 0, httpPort: null, mqttsPort: null, onSecurityEvent: (e) => events.push(e) });
  clouds.push(started);
  return { cloud: started, events };
}

async function device(c: Cloud, name: string) {
  await c.registry.things.create({ thingName: name });
  return (await c.registry.principals.createToken(name)).token;
}

describe('embedded broker', () => {
  it('refuses unknown, wrong and revoked tokens and logs why', async () => {
    const { cloud: c, events } = await cloud();
    const token = await device(c, 'lamp');
    await expect(connect(c.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: 'tok-1234.nope' })).rejects.toThrow(/Not authorized/i);
    await expect(connect(c.broker.urls.mqtt, { clientId: 'lamp' })).rejects.toThrow(/Not authorized/i);
    await expect(connect(c.broker.urls.mqtt, { clientId: 'other', username: 'x', password: token })).rejects.toThrow(/Not authorized/i);
    await c.registry.principals.revokeToken(token.split('.')[0]!);
    await expect(connect(c.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: token })).rejects.toThrow(/Not authorized/i);
    expect(events).toEqual([
      { event: 'connect-refused', clientId: 'lamp', reason: 'device token unknown' },
      { event: 'connect-refused', clientId: 'lamp', reason: 'no credentials: neither a client certificate nor a device token' },
      { event: 'connect-refused', clientId: 'other', reason: expect.stringMatching(/does not allow iot:Connect as client other$/) },
      { event: 'connect-refused', clientId: 'lamp', reason: 'device token revoked' },
    ]);
  });

  it('serves the shadow service on AWS topics to a device over TCP and WebSocket', async () => {
    const { cloud: c } = await cloud();
    const token = await device(c, 'lamp');
    const client = await connect(c.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: token });
    const box = inbox(client);
    await client.subscribeAsync(['$aws/things/lamp/shadow/update/accepted', '$aws/things/lamp/shadow/update/delta', '$aws/things/lamp/shadow/get/rejected', '$aws/things/lamp/shadow/name/cfg/update/rejected'], { qos: 1 });
    await client.publishAsync('$aws/things/lamp/shadow/update', JSON.stringify({ state: { desired: { on: true } }, clientToken: 'a' }), { qos: 1 });
    expect(await box.next('$aws/things/lamp/shadow/update/accepted')).toMatchObject({ state: { desired: { on: true } }, version: 1, clientToken: 'a' });
    expect(await box.next('$aws/things/lamp/shadow/update/delta')).toMatchObject({ state: { on: true }, version: 1 });
    await client.publishAsync('$aws/things/lamp/shadow/get', '');
    // get/accepted was not subscribed; a named-shadow error and the REST-visible state prove the rest.
    await client.publishAsync('$aws/things/lamp/shadow/name/cfg/update', '{"state":{"desired":7}}');
    expect(await box.next('$aws/things/lamp/shadow/name/cfg/update/rejected')).toMatchObject({ code: 400, message: 'Desired node must be an object' });

    const viaWs = await connect(c.broker.urls.ws!, { clientId: 'lamp-app', username: 'app', password: await (async () => {
      await c.registry.things.create({ thingName: 'lamp-app' });
      await c.policies.create('app', { Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });
      const { token: appToken, tokenId } = await c.registry.principals.createToken('lamp-app');
      await c.policies.attach('app', tokenId);
      return appToken;
    })() });
    const wsBox = inbox(viaWs);
    await viaWs.subscribeAsync('$aws/things/lamp/shadow/get/accepted', { qos: 1 });
    await viaWs.publishAsync('$aws/things/lamp/shadow/get', '{"clientToken":"ws"}', { qos: 1 });
    expect(await wsBox.next('$aws/things/lamp/shadow/get/accepted')).toMatchObject({ state: { desired: { on: true }, delta: { on: true } }, version: 1, clientToken: 'ws' });
  });

  it('confines a device to its own topics with the default policy, checked on subscribe, publish and delivery', async () => {
    const { cloud: c, events } = await cloud();
    const a = await connect(c.broker.urls.mqtt, { clientId: 'a', username: 'a', password: await device(c, 'a') });
    // MQTT.js rejects a SUBACK holding a failure (0x80); the packet is on the error.
    const suback = (await a.subscribeAsync({ 'things/a/cmd': { qos: 1 }, 'things/b/cmd': { qos: 1 }, '$aws/things/b/shadow/update/accepted': { qos: 1 }, 'things/a/q2': { qos: 2 } }).catch((e: { packet: { granted: number[] } }) => e.packet));
    expect(suback).toMatchObject({ granted: [1, 128, 128, 128] });
    expect(events.filter((e) => e.event === 'subscribe-refused').map((e) => (e as { filter: string }).filter)).toEqual(['things/b/cmd', '$aws/things/b/shadow/update/accepted', 'things/a/q2']);

    // A device publishing outside its topics is cut off, as AWS IoT does.
    const b = await connect(c.broker.urls.mqtt, { clientId: 'b', username: 'b', password: await device(c, 'b') });
    const closed = new Promise<void>((resolve) => b.once('close', () => resolve()));
    b.publish('things/a/cmd', 'intrusion');
    await closed;
    expect(events).toContainEqual({ event: 'publish-refused', clientId: 'b', topic: 'things/a/cmd', reason: 'policy does not allow iot:Publish' });

    // Receive is checked per delivery: a client may subscribe broadly yet receive only what its policy allows.
    await c.registry.things.create({ thingName: 'c' });
    await c.policies.create('narrow', { Statement: [
      { Effect: 'Allow', Action: ['iot:Connect', 'iot:Subscribe'], Resource: '*' },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: 'topic/things/c/*' },
    ] });
    const cToken = await c.registry.principals.createToken('c');
    await c.policies.attach('narrow', cToken.tokenId);
    const narrow = await connect(c.broker.urls.mqtt, { clientId: 'c', username: 'c', password: cToken.token });
    const received: string[] = [];
    narrow.on('message', (topic) => received.push(topic));
    await narrow.subscribeAsync('things/#', { qos: 1 });
    await c.broker.bus.publish('things/a/cmd', 'not for c', { qos: 1 });
    await c.broker.bus.publish('things/c/cmd', 'for c', { qos: 1 });
    await expect.poll(() => received).toEqual(['things/c/cmd']);
    expect(events).toContainEqual({ event: 'delivery-refused', clientId: 'c', topic: 'things/a/cmd' });
  });

  it('restarts on the same ports keeping persistent sessions: a QoS 1 message sent during the outage is delivered at the reconnect', async () => {
    const { cloud: c } = await cloud();
    const token = await device(c, 'lamp');
    const options = { clientId: 'lamp', username: 'lamp', password: token, clean: false };
    const first = await connect(c.broker.urls.mqtt, options);
    await first.subscribeAsync('things/lamp/cmd', { qos: 1 });
    const dropped = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const restarted = c.broker.restart(200);
    await dropped;
    // Down: nobody connects, and the session queues what is published meanwhile.
    await expect(connect(c.broker.urls.mqtt, options)).rejects.toThrow(/ECONNREFUSED|closed/);
    await c.broker.bus.publish('things/lamp/cmd', '{"n":1}', { qos: 1 });
    await restarted;
    const again = await connect(c.broker.urls.mqtt, options);
    const box = inbox(again);
    expect(await box.next('things/lamp/cmd')).toEqual({ n: 1 });
  });

  it('publishes presence events and records connectivity', async () => {
    const { cloud: c } = await cloud();
    await c.registry.things.create({ thingName: 'watcher' });
    await c.policies.create('watch', { Statement: [{ Effect: 'Allow', Action: ['iot:Connect', 'iot:Subscribe', 'iot:Receive'], Resource: '*' }] });
    const watcherToken = await c.registry.principals.createToken('watcher');
    await c.policies.attach('watch', watcherToken.tokenId);
    const watcher = await connect(c.broker.urls.mqtt, { clientId: 'watcher', username: 'watcher', password: watcherToken.token });
    const box = inbox(watcher);
    await watcher.subscribeAsync('$aws/events/presence/+/+', { qos: 1 });

    const token = await device(c, 'lamp');
    const lamp = await connect(c.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: token });
    const connected = (await box.next('$aws/events/presence/connected/lamp')) as Record<string, unknown>;
    expect(connected).toMatchObject({ clientId: 'lamp', eventType: 'connected', principalIdentifier: token.split('.')[0], ipAddress: '127.0.0.1' });
    expect(await c.registry.connectivity.ofThing('lamp')).toMatchObject({ connected: true });
    await lamp.endAsync();
    expect(await box.next('$aws/events/presence/disconnected/lamp')).toMatchObject({ eventType: 'disconnected', clientInitiatedDisconnect: true, disconnectReason: 'CLIENT_INITIATED_DISCONNECT', sessionIdentifier: connected.sessionIdentifier });
    expect(await c.registry.connectivity.ofThing('lamp')).toMatchObject({ connected: false, disconnectReason: 'CLIENT_INITIATED_DISCONNECT' });
  });
});
