/**
 * The device MQTT client against a real broker (Debian's Mosquitto, started here) and a real
 * independent client (MQTT.js), over real sockets (the sim port's Node TCP), with a TCP proxy in
 * between where a test needs a dead link, a lost PUBACK or a cut connection.
 */
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDevice, realTimer, Storage, TCP } from '../../../firmware/hal/sim/node/index.js';
import { Mosquitto } from '../../../test/mosquitto.js';
import { TcpProxy } from '../../../test/tcp-proxy.js';
import { utf8Decode } from '../../bytes.js';
import type { Message } from '../connection.js';
import { MqttClient, type MqttClientOptions, type MqttStatus } from './client.js';

let broker: Mosquitto;
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await broker.stop();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 10);
    };
    check();
  });
}

function device(port: number, options: Partial<MqttClientOptions> = {}) {
  const statuses: [MqttStatus, string | undefined][] = [];
  const client = new MqttClient({
    clientId: `dev-${Math.random().toString(36).slice(2, 8)}`,
    transport: { TCP, host: '127.0.0.1', port },
    timer: realTimer,
    backoff: { minMs: 50, maxMs: 400, jitter: 0.2 },
    onStatus: (status, detail) => statuses.push([status, detail]),
    ...options,
  });
  cleanup.push(() => client.stop());
  client.start();
  return { client, statuses };
}

async function peer(port: number, clientId = `peer-${Math.random().toString(36).slice(2, 8)}`) {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, reconnectPeriod: 0 });
  cleanup.push(() => c.endAsync(true));
  return c;
}

const call = (start: (done: (error?: Error) => void) => void) =>
  new Promise<void>((resolve, reject) => start((error) => (error ? reject(error) : resolve())));

describe('MqttClient with Mosquitto', () => {
  it('connects, subscribes, and exchanges QoS 0 and 1 messages with an independent client', async () => {
    const { client } = device(broker.port);
    await until(() => client.connected, 'connected');
    const received: Message[] = [];
    await call((done) => client.subscribe('cmd/dev/+', (m) => received.push(m), { qos: 1 }, done));
    const other = await peer(broker.port);
    await other.subscribeAsync('dt/dev/#', { qos: 1 });
    const seen: [string, string, number][] = [];
    other.on('message', (topic, payload, packet) => seen.push([topic, payload.toString(), packet.qos]));

    await other.publishAsync('cmd/dev/led', 'on', { qos: 1 });
    await other.publishAsync('cmd/dev/x/y', 'no match', { qos: 0 });
    await other.publishAsync('cmd/dev/fan', Buffer.from([0, 255]), { qos: 0 });
    await call((done) => client.publish('dt/dev/temp', '21.5', { qos: 1 }, done));
    await call((done) => client.publish('dt/dev/hum', 'ü', { qos: 0 }, done));
    await until(() => received.length === 2 && seen.length === 2, 'both ways');

    expect(received.map((m) => [m.topic, Array.from(m.payload), m.qos])).toEqual([
      ['cmd/dev/led', [0x6f, 0x6e], 1],
      ['cmd/dev/fan', [0, 255], 0],
    ]);
    expect(seen).toEqual([
      ['dt/dev/temp', '21.5', 1],
      ['dt/dev/hum', 'ü', 0],
    ]);
    expect(client.stats()).toMatchObject({ queued: 0, dropped: 0, reconnects: 0 });
  });

  it('refuses bad topics and QoS 0 while offline, through done or by throwing', async () => {
    const { client } = device(1); // nothing listens on port 1
    await expect(call((done) => client.publish('a/+', 'x', {}, done))).rejects.toThrow(/contains a wildcard/);
    await expect(call((done) => client.subscribe('a/#/b', () => {}, {}, done))).rejects.toThrow(/'#' must be a whole level/);
    await expect(call((done) => client.publish('a', 'x', { qos: 0 }, done))).rejects.toThrow('not connected (QoS 0 messages are not queued)');
    expect(() => client.publish('', 'x')).toThrow(/non-empty/);
  });

  it('keeps QoS 1 messages while the broker is down, drops the oldest past the limit, and delivers the rest in order after it restarts', async () => {
    const proxy = await TcpProxy.start(broker.port);
    cleanup.push(() => proxy.close());
    const { client, statuses } = device(proxy.port, { maxQueued: 3 });
    await until(() => client.connected, 'connected');
    proxy.refuse(true);
    await broker.stop();
    await until(() => !client.connected, 'disconnected');
    const results: string[] = [];
    for (let i = 1; i <= 5; i++) client.publish('dt/dev/n', String(i), { qos: 1 }, (error) => results.push(error ? `${i}: ${error.message}` : `${i}: ok`));
    expect(client.stats()).toMatchObject({ queued: 3, dropped: 2 });
    expect(results).toEqual(['1: dropped: more than 3 QoS 1 messages waiting', '2: dropped: more than 3 QoS 1 messages waiting']);

    await broker.restart();
    const watcher = await peer(broker.port);
    await watcher.subscribeAsync('dt/dev/n', { qos: 1 });
    const seen: string[] = [];
    watcher.on('message', (_t, payload) => seen.push(payload.toString()));
    proxy.refuse(false); // the device gets through only once the watcher listens
    await until(() => results.length === 5, 'all acknowledged');
    await until(() => seen.length === 3, 'delivered');
    expect(seen).toEqual(['3', '4', '5']);
    expect(results.slice(2)).toEqual(['3: ok', '4: ok', '5: ok']);
    expect(client.stats()).toMatchObject({ queued: 0, dropped: 2, reconnects: 1 });
    expect(statuses.map(([s]) => s)).toEqual(expect.arrayContaining(['connected', 'disconnected', 'connecting']));
  });

  it('keeps unacknowledged QoS 1 messages in flash across a reset and sends them after the next boot', async () => {
    const sim = createDevice();
    const offline = device(1, { storage: new Storage({ domain: 'mqtt' }), clientId: 'dev-reset' });
    offline.client.publish('dt/dev/boot', 'before reset', { qos: 1 });
    expect(offline.client.stats().queued).toBe(1);
    offline.client.stop();

    createDevice({}, sim.flash); // reset: RAM gone, flash kept
    const watcher = await peer(broker.port);
    await watcher.subscribeAsync('dt/dev/boot', { qos: 1 });
    const seen: string[] = [];
    watcher.on('message', (_t, payload) => seen.push(payload.toString()));
    const { client } = device(broker.port, { storage: new Storage({ domain: 'mqtt' }), clientId: 'dev-reset' });
    expect(client.stats()).toMatchObject({ restored: 1, queued: 1 });
    await until(() => seen.length === 1 && client.stats().queued === 0, 'delivered after reset');
    expect(seen).toEqual(['before reset']);
    expect(new Storage({ domain: 'mqtt' }).keys()).toEqual([]);
  });

  it('sends an unacknowledged QoS 1 message again with DUP and the same packet id after a reconnect', async () => {
    const proxy = await TcpProxy.start(broker.port);
    cleanup.push(() => proxy.close());
    const { client } = device(proxy.port);
    await until(() => client.connected, 'connected');
    // PUBACK is 0x40 0x02 <id>: lose the first one, then cut the link.
    proxy.dropNextFromBroker((chunk) => chunk[0] === 0x40);
    let acked = false;
    client.publish('dt/dev/dup', 'once', { qos: 1 }, () => (acked = true));
    await until(() => proxy.fromClient.some((c) => c[0] === 0x32), 'first publish');
    await new Promise((r) => setTimeout(r, 100));
    expect(acked).toBe(false);
    proxy.cut();
    await until(() => acked, 'acknowledged after reconnect');

    const publishes: { dup: boolean; messageId?: number }[] = [];
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => {
      const p = packet as { cmd: string; dup: boolean; messageId?: number };
      if (p.cmd === 'publish') publishes.push({ dup: p.dup, messageId: p.messageId });
    });
    for (const chunk of proxy.fromClient) parser.parse(chunk);
    expect(publishes).toHaveLength(2);
    expect(publishes[0]!.dup).toBe(false);
    expect(publishes[1]).toEqual({ dup: true, messageId: publishes[0]!.messageId });
  });

  it('detects a dead link by keepalive and reconnects, resubscribing', async () => {
    const proxy = await TcpProxy.start(broker.port);
    cleanup.push(() => proxy.close());
    const { client, statuses } = device(proxy.port, { keepAlive: 1, pingTimeoutMs: 300 });
    const received: string[] = [];
    await call((done) => client.subscribe('cmd/dead/#', (m) => received.push(utf8Decode(m.payload)), {}, done));
    proxy.freeze();
    await until(() => statuses.some(([s, d]) => s === 'disconnected' && /PINGREQ/.test(d ?? '')), 'dead link detected');
    proxy.thaw();
    await until(() => client.connected && client.stats().reconnects === 1, 'reconnected');
    const other = await peer(broker.port);
    await until(() => {
      other.publish('cmd/dead/x', 'after');
      return received.length > 0;
    }, 'resubscribed');
    expect(received[0]).toBe('after');
    expect(statuses.find(([, d]) => /PINGREQ/.test(d ?? ''))![1]).toBe('no answer to PINGREQ within 300 ms: the link is dead');
  });

  it('backs off exponentially between failed attempts, with jitter inside its bounds', async () => {
    const { client, statuses } = device(1, { backoff: { minMs: 40, maxMs: 320, jitter: 0.25 } });
    const times: number[] = [];
    await until(() => {
      const connecting = statuses.filter(([s]) => s === 'connecting').length;
      if (times.length < connecting) times.push(performance.now());
      return connecting >= 6;
    }, 'six attempts');
    client.stop();
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const ceilings = [40, 80, 160, 320, 320];
    gaps.forEach((gap, i) => {
      expect(gap, `gap ${i}`).toBeGreaterThanOrEqual(ceilings[i]! * 0.75 - 5);
    });
    expect(gaps[3]! + gaps[4]!).toBeGreaterThan(gaps[0]! + gaps[1]!);
  });

  it('a persistent session gets the QoS 1 messages published while it was away', async () => {
    const id = `persist-${Math.random().toString(36).slice(2, 8)}`;
    const first = device(broker.port, { clientId: id, clean: false });
    await call((done) => first.client.subscribe('cmd/persist', () => {}, { qos: 1 }, done));
    first.client.stop();
    const other = await peer(broker.port);
    await other.publishAsync('cmd/persist', 'while away', { qos: 1 });
    const received: string[] = [];
    const second = device(broker.port, { clientId: id, clean: false });
    second.client.subscribe('cmd/persist', (m) => received.push(utf8Decode(m.payload)), { qos: 1 });
    await until(() => received.length === 1, 'queued message');
    expect(received).toEqual(['while away']);
  });

  it('closes on a malformed packet from the broker with a protocol error, and tries again', async () => {
    const net = await import('node:net');
    const server = net.createServer((socket) => socket.once('data', () => socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00, 0x00, 0x00]))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const { statuses } = device((server.address() as { port: number }).port);
    await until(() => statuses.filter(([s]) => s === 'connecting').length >= 2, 'a second attempt');
    expect(statuses.find(([s]) => s === 'disconnected')![1]).toBe('protocol error from the broker: packet type 0 is reserved [MQTT-2.2.1]');
  });
});
