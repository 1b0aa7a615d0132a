// The dashboard's server side and the telemetry store, on a cloud with an in-memory store, over
// real loopback: a device (MQTT.js) publishing JSON and CBOR telemetry batches, the HTTP API's
// telemetry query, the page's files, and the live feed's WebSocket with and without the token.
import { encode as encodeCbor } from 'cbor-x';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startCloud, type Cloud } from '../cloud.js';
import { mqttClients } from '../testing/mqtt-client.js';
import { ApiError } from './app/api.js';
import type { LiveMessage } from './app/messages.js';
import { queryProblem } from './app/search.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function cloudWithDevice() {
  const errors: Error[] = [];
  const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: 0, onError: (e) => errors.push(e) });
  clouds.push(cloud);
  await cloud.registry.things.create({ thingName: 'lamp-1', attributes: { room: 'hall' } });
  const { token } = await cloud.registry.principals.createToken('lamp-1');
  const device = () => clients.connect(cloud.broker.urls.mqtt, { clientId: 'lamp-1', username: 'lamp-1', password: token, protocolVersion: 4 });
  const admin = cloud.newAdminToken!;
  const get = async (path: string, token = admin) => {
    const response = await fetch(cloud.api!.url + path, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  return { cloud, errors, device, admin, get };
}

/** A live-feed socket; `messages` collects what arrives. */
async function live(cloud: Cloud, first?: string) {
  const ws = new WebSocket(`${cloud.api!.url.replace('http', 'ws')}/dashboard/live`);
  sockets.push(ws);
  const messages: LiveMessage[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as LiveMessage));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  if (first !== undefined) ws.send(first);
  return { ws, messages, closed };
}

const batch = (seq: number, entries: { ts: number; m: Record<string, number | string | boolean> }[]) => ({ seq, dropped: 0, entries });

describe('telemetry store', () => {
  it('stores JSON and CBOR batches from things/{thing}/telemetry, once per QoS 1 copy, and answers GET /things/{thing}/telemetry', async () => {
    const { cloud, errors, device, get } = await cloudWithDevice();
    const lamp = await device();
    const first = batch(0, [{ ts: 1_000, m: { temp: 21.5 } }, { ts: 2_000, m: { temp: 22, door: 'open' } }]);
    await lamp.publishAsync('things/lamp-1/telemetry', JSON.stringify(first), { qos: 1 });
    await lamp.publishAsync('things/lamp-1/telemetry', JSON.stringify(first), { qos: 1 }); // a redelivered copy
    await lamp.publishAsync('things/lamp-1/telemetry', Buffer.from(encodeCbor(batch(1, [{ ts: 3_000, m: { temp: 22.5, fan: true } }]))), { qos: 1 });
    const all = await until(async () => {
      const answer = JSON.parse((await get('/things/lamp-1/telemetry')).text) as { entries: unknown[] };
      return answer.entries.length >= 3 ? answer : undefined;
    }, 'three entries stored');
    expect(all).toEqual({ thingName: 'lamp-1', entries: [...first.entries, { ts: 3_000, m: { temp: 22.5, fan: true } }] });
    expect(await cloud.db.all('SELECT thing_name, client_id FROM telemetry')).toEqual([
      { thing_name: 'lamp-1', client_id: 'lamp-1' },
      { thing_name: 'lamp-1', client_id: 'lamp-1' },
    ]);
    expect(JSON.parse((await get('/things/lamp-1/telemetry?limit=1')).text).entries).toEqual([{ ts: 3_000, m: { temp: 22.5, fan: true } }]);
    expect(JSON.parse((await get('/things/lamp-1/telemetry?since=1000')).text).entries.map((e: { ts: number }) => e.ts)).toEqual([2_000, 3_000]);
    expect(errors).toEqual([]);
  });

  it('refuses a malformed batch with the reason and stores nothing; bad queries get 4xx', async () => {
    const { cloud, errors, device, get } = await cloudWithDevice();
    const lamp = await device();
    await lamp.publishAsync('things/lamp-1/telemetry', '{"seq":0,"dropped":0,"entries":[{"ts":1,"m":{"temp":null}}]}', { qos: 1 });
    await lamp.publishAsync('things/lamp-1/telemetry', 'not a batch', { qos: 1 });
    await until(() => (errors.length >= 2 ? true : undefined), 'two refusals');
    expect(errors.map((e) => e.message)).toEqual([
      'telemetry from lamp-1 not stored: telemetry batch: entries[0]: measurement "temp" must have a non-empty name and a finite number, a string or a boolean',
      expect.stringMatching(/^telemetry from lamp-1 not stored: telemetry batch: not CBOR: /),
    ]);
    expect(await cloud.db.all('SELECT id FROM telemetry')).toEqual([]);
    expect((await get('/things/ghost/telemetry')).status).toBe(404);
    const bad = await get('/things/lamp-1/telemetry?limit=0');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).issues[0].path).toBe('query.limit');
    expect((await get('/things/lamp-1/telemetry', 'mote-admin.wrong')).status).toBe(401);
  });
});

describe('dashboard', () => {
  it('serves the page, its style and its bundled script without a token; the API behind it still needs one', async () => {
    const { get } = await cloudWithDevice();
    const page = await get('/dashboard/', '');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('<script type="module" src="/dashboard/app.js">');
    const script = await get('/dashboard/app.js', '');
    expect(script.status).toBe(200);
    expect(script.type).toMatch(/^text\/javascript/);
    expect(script.text).toContain('/dashboard/live'); // the bundle is the page's code
    expect(script.text).toContain('uplot'); // with the chart library in it
    expect((await get('/dashboard/style.css', '')).text).toContain('.uplot');
    expect((await get('/things', '')).status).toBe(401);
  });

  it('live feed: refuses a wrong token with 4401; with the right one pushes shadow changes, connectivity and telemetry', async () => {
    const { cloud, admin, device, get } = await cloudWithDevice();
    const wrong = await live(cloud, JSON.stringify({ token: 'mote-admin.nope' }));
    expect(await wrong.closed).toEqual({ code: 4401, reason: 'wrong admin token' });
    const garbled = await live(cloud, 'hello');
    expect((await garbled.closed).code).toBe(4401);
    expect(wrong.messages).toEqual([]);

    const feed = await live(cloud, JSON.stringify({ token: admin }));
    await until(() => (feed.messages.length > 0 ? true : undefined), 'ready');
    expect(feed.messages).toEqual([{ type: 'ready' }]);

    const lamp = await device();
    const online = await until(() => feed.messages.find((m) => m.type === 'connectivity'), 'the connect');
    expect(online).toMatchObject({ type: 'connectivity', clientId: 'lamp-1', thingName: 'lamp-1', connected: true });

    const response = await fetch(`${cloud.api!.url}/things/lamp-1/shadow`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"state":{"desired":{"led":"on"}}}' });
    expect(response.status).toBe(200);
    const shadow = await until(() => feed.messages.find((m) => m.type === 'shadow'), 'the shadow change');
    expect(shadow).toMatchObject({ type: 'shadow', thingName: 'lamp-1', document: { state: { desired: { led: 'on' } }, version: 1 } });
    expect(shadow).not.toHaveProperty('shadowName');

    await lamp.publishAsync('things/lamp-1/telemetry', JSON.stringify(batch(0, [{ ts: 5, m: { temp: 20 } }])), { qos: 1 });
    expect(await until(() => feed.messages.find((m) => m.type === 'telemetry'), 'telemetry')).toEqual({ type: 'telemetry', thingName: 'lamp-1', entries: [{ ts: 5, m: { temp: 20 } }] });

    await fetch(`${cloud.api!.url}/things/lamp-1/shadow`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    expect(await until(() => feed.messages.find((m) => m.type === 'shadow' && m.document === null), 'the delete')).toMatchObject({ thingName: 'lamp-1' });

    await lamp.endAsync();
    expect(await until(() => feed.messages.find((m) => m.type === 'connectivity' && !m.connected), 'the disconnect')).toMatchObject({ disconnectReason: 'CLIENT_INITIATED_DISCONNECT' });
    expect((await get('/dashboard/live', admin)).status).toBe(404); // a plain GET is not the feed
  });

  it('fleet search: the page finds the column and the reason in the API\'s refusal of a malformed query, and nothing in other refusals', async () => {
    const { get } = await cloudWithDevice();
    const refusal = async (path: string) => {
      const answer = await get(path);
      const body = JSON.parse(answer.text) as { message: string; issues?: { path: string; message: string }[] };
      return new ApiError(answer.status, body.message, body.issues);
    };
    expect(queryProblem(await refusal(`/search?query=${encodeURIComponent('attributes.room:hall AND (thingName:lamp*')}`))).toEqual({ column: 42, reason: "expected AND, OR or ')', found the end of the query" });
    expect(queryProblem(await refusal(`/search?query=${encodeURIComponent('thingName:*lamp')}`))).toEqual({ column: 11, reason: "a value cannot start with a wildcard: '*lamp'" });
    expect(queryProblem(await refusal('/search?query=thingName:lamp*&maxResults=0'))).toBeUndefined(); // not the query's fault
    expect(queryProblem(await refusal('/things/ghost/telemetry'))).toBeUndefined();
    const found = JSON.parse((await get(`/search?query=${encodeURIComponent('attributes.room:hall')}`)).text) as { things: { thingName: string }[] };
    expect(found.things.map((t) => t.thingName)).toEqual(['lamp-1']);
  });

  it('live feed: a job message for each change of a job\'s executions (a job added, a device\'s progress, its end); GET /ota/jobs/{job}/progress has the download the page shows', async () => {
    const { cloud, admin, device, get } = await cloudWithDevice();
    const feed = await live(cloud, JSON.stringify({ token: admin }));
    const lamp = await device();
    await until(() => feed.messages.find((m) => m.type === 'connectivity'), 'the connect');
    const image = await cloud.ota.files.upload(Buffer.alloc(4096, 7), { version: '2.0.0' });
    await cloud.ota.createJob({ jobId: 'update-2', streamId: image.streamId, targets: ['thing/lamp-1'] });
    expect(await until(() => feed.messages.find((m) => m.type === 'job'), 'the new job')).toEqual({ type: 'job', thingName: 'lamp-1' }); // its pending list changed

    const jobMessages = () => feed.messages.filter((m) => m.type === 'job' && m.jobId === 'update-2');
    const update = (statusDetails: Record<string, string>, status = 'IN_PROGRESS') =>
      lamp.publishAsync('$aws/things/lamp-1/jobs/update-2/update', JSON.stringify({ status, statusDetails }), { qos: 1 });
    await update({ step: 'downloading', received: '1024', size: '4096' });
    await until(() => jobMessages().length >= 1 || undefined, 'the progress');
    expect(jobMessages()[0]).toEqual({ type: 'job', thingName: 'lamp-1', jobId: 'update-2' });
    expect(JSON.parse((await get('/ota/jobs/update-2/progress')).text)).toMatchObject({ devices: [{ thingName: 'lamp-1', status: 'IN_PROGRESS', step: 'downloading', received: 1024, size: 4096, percent: 25 }] });

    await update({ step: 'confirmed' }, 'SUCCEEDED');
    await until(() => feed.messages.some((m) => m.type === 'job' && m.jobId === 'update-2' && m.thingName === undefined) || undefined, 'the execution and job events');
    expect(JSON.parse((await get('/ota/jobs/update-2/progress')).text).devices[0]).toMatchObject({ status: 'SUCCEEDED', percent: 100 });
    expect(feed.messages.filter((m) => m.type === 'job').every((m) => m.type === 'job' && (m.jobId === 'update-2' || m.thingName === 'lamp-1'))).toBe(true);
  });

  it('live feed: forwards the violations and alarms the cloud raises ($mote/defender/violations, $mote/alarms); reports one that is not JSON', async () => {
    const { cloud, admin, errors, device } = await cloudWithDevice();
    const feed = await live(cloud, JSON.stringify({ token: admin }));
    await until(() => (feed.messages.length > 0 ? true : undefined), 'ready');
    const call = async (method: string, path: string, body: unknown) => {
      const response = await fetch(cloud.api!.url + path, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
    };
    // A violation: the device's metrics report breaks a behaviour.
    await call('PUT', '/defender/behaviors', { behaviors: [{ name: 'bytes-out', metric: 'aws:all-bytes-out', comparisonOperator: 'greater-than', value: 10_000 }] });
    const lamp = await device();
    await lamp.publishAsync('$aws/things/lamp-1/defender/metrics/json', JSON.stringify({ hed: { rid: 1, v: '1.0' }, met: { ns: { bi: 1, bo: 20_000, pi: 1, po: 1 } } }), { qos: 1 });
    const violation = await until(() => feed.messages.find((m) => m.type === 'violation'), 'the violation');
    expect(violation).toEqual({ type: 'violation', violation: { id: expect.any(String), thing: 'lamp-1', behavior: 'bytes-out', metric: 'aws:all-bytes-out', value: 20_000, threshold: '> 10000', state: 'active', startedAt: expect.any(Number) } });
    // An alarm: a detector model raises it.
    await call('POST', '/events/detector-models', {
      name: 'heat', key: 'thing', inputs: { Temp: { attributes: ['thing', 'temperature'] } }, initialState: 'Normal',
      states: [
        { stateName: 'Normal', onInput: { transitions: [{ condition: '$input.Temp.temperature > 30', nextState: 'Hot' }] } },
        { stateName: 'Hot', onEnter: { events: [{ actions: [{ raiseAlarm: { alarmName: 'hot', severity: 2, message: 'temp ${$input.Temp.temperature}' } }] }] } },
      ],
    });
    await call('POST', '/events/inputs/Temp', { thing: 'lamp-1', temperature: 31 });
    const alarm = await until(() => feed.messages.find((m) => m.type === 'alarm'), 'the alarm');
    expect(alarm).toEqual({ type: 'alarm', alarm: { model: 'heat', key: 'lamp-1', name: 'hot', state: 'ACTIVE', severity: 2, message: 'temp 31', updatedAt: expect.any(Number) } });

    await cloud.broker.bus.publish('$mote/alarms', 'garbled', { qos: 1 });
    await until(() => (errors.length > 0 ? true : undefined), 'the garbled one reported');
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^dashboard: alarm not forwarded, not JSON: /)]);
    expect(feed.messages.filter((m) => m.type === 'alarm')).toHaveLength(1);
  });
});
