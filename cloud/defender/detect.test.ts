// Detect on a real cloud: a device (MQTT.js over loopback) sends Device Defender metrics reports
// in JSON and CBOR, gets accepted/rejected answers, and an operator's client sees violation events
// as a static-threshold behaviour is broken and then met again; the HTTP API lists them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeCbor, encodeCbor } from '../../sdk/cbor/index.js';
import { startCloud, type Cloud } from '../cloud.js';
import { inbox, mqttClients } from '../testing/mqtt-client.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

const REPORTS = '$aws/things/lamp/defender/metrics';
const report = (rid: number, bytesOut: number) => ({ hed: { rid, v: '1.0' }, met: { ns: { bi: 10, bo: bytesOut, pi: 1, po: 2 }, tp: { pts: [{ pt: 443 }], t: 1 } } });

async function setUp() {
  const c = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, httpPort: 0, mqttsPort: null });
  clouds.push(c);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(c.api!.url + path, { method, headers: { authorization: `Bearer ${c.newAdminToken!}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of several shapes
  };
  for (const thingName of ['lamp', 'ops']) await c.registry.things.create({ thingName });
  const lampToken = (await c.registry.principals.createToken('lamp')).token;
  const ops = await c.registry.principals.createToken('ops');
  await c.policies.create('watch-violations', { Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'client/ops' },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'topicfilter/$aws/events/defender/violations/*' },
    { Effect: 'Allow', Action: 'iot:Receive', Resource: 'topic/$aws/events/defender/violations/*' },
  ] });
  await c.policies.attach('watch-violations', ops.tokenId);
  const device = await clients.connect(c.broker.urls.mqtt, { clientId: 'lamp', password: lampToken, username: 'lamp' });
  const answers = inbox(device);
  await device.subscribeAsync(`${REPORTS}/+/+`, { qos: 1 });
  const watcher = await clients.connect(c.broker.urls.mqtt, { clientId: 'ops', password: ops.token, username: 'ops' });
  const events = inbox(watcher);
  await watcher.subscribeAsync('$aws/events/defender/violations/+', { qos: 1 });
  return { c, call, device, answers, events };
}

describe('Defender detect', () => {
  it('answers reports as AWS does: accepted, or rejected with the reason', async () => {
    const { device, answers } = await setUp();
    await device.publishAsync(`${REPORTS}/json`, JSON.stringify(report(1, 500)), { qos: 1 });
    expect(await answers.next(`${REPORTS}/json/accepted`)).toEqual({ thingName: 'lamp', reportId: 1, status: 'ACCEPTED', timestamp: expect.any(Number) });

    const rejected = async (payload: string, reportId: number | undefined, message: RegExp) => {
      await device.publishAsync(`${REPORTS}/json`, payload, { qos: 1 });
      expect(await answers.next(`${REPORTS}/json/rejected`)).toEqual({
        thingName: 'lamp', ...(reportId !== undefined && { reportId }), status: 'REJECTED', timestamp: expect.any(Number),
        statusDetails: { ErrorCode: 'InvalidPayload', ErrorMessage: expect.stringMatching(message) },
      });
    };
    await rejected(JSON.stringify(report(1, 600)), 1, /^duplicate report id 1$/);
    await rejected(JSON.stringify({ ...report(2, 1), hed: { rid: 2, v: '2.0' } }), 2, /^hed\.v: /);
    await rejected(JSON.stringify({ hed: { rid: 3, v: '1.0' } }), 3, /needs met, cmet or both/);
    await rejected(JSON.stringify({ ...report(4, 1), met: { ns: { bi: -1, bo: 1, pi: 1, po: 1 } } }), 4, /^met\.ns\.bi: /);
    await rejected('{"hed":', undefined, /^report is not valid JSON: /);

    // CBOR in, CBOR out.
    const cborAnswer = new Promise<Buffer>((resolve) => device.on('message', (topic, payload) => topic === `${REPORTS}/cbor/accepted` && resolve(payload)));
    await device.publishAsync(`${REPORTS}/cbor`, Buffer.from(encodeCbor(report(5, 1))), { qos: 1 });
    const cbor = await cborAnswer;
    expect(decodeCbor(cbor)).toMatchObject({ thingName: 'lamp', reportId: 5, status: 'ACCEPTED' });
  });

  it('raises a violation when a behaviour is broken and clears it when the device is back within it', async () => {
    const { call, device, answers, events } = await setUp();
    const bytesOut = { name: 'bytes-out-high', metric: 'aws:all-bytes-out', comparisonOperator: 'greater-than', value: 10_000 };
    const ports = { name: 'one-tcp-port', metric: 'aws:listening-tcp-ports', comparisonOperator: 'greater-than', value: 1 };
    expect(await call('PUT', '/defender/behaviors', { behaviors: [bytesOut, ports] })).toEqual({ status: 200, body: { behaviors: [bytesOut, ports] } });

    await device.publishAsync(`${REPORTS}/json`, JSON.stringify(report(1, 20_000)), { qos: 1 });
    await answers.next(`${REPORTS}/json/accepted`);
    const raised = (await events.next('$aws/events/defender/violations/lamp')) as { violationId: string };
    expect(raised).toEqual({ violationEventType: 'in-alarm', violationId: expect.any(String), thingName: 'lamp', behavior: bytesOut, metricValue: { count: 20_000 }, violationEventTime: expect.any(Number) });
    const listed = await call('GET', '/defender/violations?thing=lamp');
    const active = { id: raised.violationId, thing: 'lamp', behavior: 'bytes-out-high', metric: 'aws:all-bytes-out', value: 20_000, threshold: '> 10000', state: 'active', startedAt: expect.any(Number) };
    expect(listed.body).toEqual({ violations: [active] });

    // Still over: no second event; back under: cleared, with the same id.
    await device.publishAsync(`${REPORTS}/json`, JSON.stringify(report(2, 30_000)), { qos: 1 });
    await answers.next(`${REPORTS}/json/accepted`);
    await device.publishAsync(`${REPORTS}/json`, JSON.stringify(report(3, 100)), { qos: 1 });
    expect(await events.next('$aws/events/defender/violations/lamp')).toMatchObject({ violationEventType: 'alarm-cleared', violationId: raised.violationId, metricValue: { count: 100 } });
    expect((await call('GET', '/defender/violations?state=active')).body).toEqual({ violations: [] });
    expect((await call('GET', '/defender/violations')).body).toEqual({ violations: [{ ...active, state: 'cleared', clearedAt: expect.any(Number) }] });
    expect((await call('GET', '/defender/violations?state=gone')).status).toBe(400);
  });

  it('refuses behaviours it cannot evaluate, keeping the ones it has', async () => {
    const { call } = await setUp();
    const good = { name: 'bytes-in', metric: 'aws:all-bytes-in', comparisonOperator: 'less-than', value: 5 };
    await call('PUT', '/defender/behaviors', { behaviors: [good] });
    const bad = await call('PUT', '/defender/behaviors', { behaviors: [{ ...good, metric: 'aws:cpu' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('body.behaviors.0.metric');
    expect((await call('PUT', '/defender/behaviors', { behaviors: [good, good] })).body.message).toMatch(/behaviour bytes-in is listed twice/);
    expect((await call('GET', '/defender/behaviors')).body).toEqual({ behaviors: [good] });
    const noWindow = await call('PUT', '/defender/behaviors', { behaviors: [{ name: 'drops', metric: 'aws:num-disconnects', comparisonOperator: 'greater-than', value: 3 }] });
    expect(noWindow.status).toBe(400);
    expect(noWindow.body.issues[0]).toMatchObject({ path: 'body.behaviors.0.durationSeconds', message: 'aws:num-disconnects is measured by the cloud over a window: durationSeconds is required' });
  });

  it('waits for consecutive breaking reports before raising, and consecutive good ones before clearing', async () => {
    const { call, device, answers, events } = await setUp();
    const ports = { name: 'ports', metric: 'aws:listening-tcp-ports', comparisonOperator: 'greater-than', value: 0, consecutiveDatapointsToAlarm: 2, consecutiveDatapointsToClear: 2 };
    await call('PUT', '/defender/behaviors', { behaviors: [ports] });
    const send = async (rid: number, openPorts: number) => {
      await device.publishAsync(`${REPORTS}/json`, JSON.stringify({ hed: { rid, v: '1.0' }, met: { tp: { pts: Array.from({ length: openPorts }, (_, i) => ({ pt: 8000 + i })) } } }), { qos: 1 });
      await answers.next(`${REPORTS}/json/accepted`);
    };
    const active = async () => (await call('GET', '/defender/violations?state=active')).body.violations.map((v: { behavior: string }) => v.behavior);
    await send(1, 1);
    await send(2, 0); // breaks the streak
    await send(3, 1);
    expect(await active()).toEqual([]);
    await send(4, 2);
    // The answer goes out before the report is evaluated: wait for the store.
    await vi.waitFor(async () => expect(await active()).toEqual(['ports']));
    await send(5, 0);
    await send(6, 3); // breaking again: the clearing streak starts over
    await send(7, 0);
    expect(await active()).toEqual(['ports']);
    await send(8, 0);
    await vi.waitFor(async () => expect(await active()).toEqual([]));
    expect(await events.next('$aws/events/defender/violations/lamp')).toMatchObject({ violationEventType: 'in-alarm', metricValue: { count: 2 } });
    expect(await events.next('$aws/events/defender/violations/lamp')).toMatchObject({ violationEventType: 'alarm-cleared', metricValue: { count: 0 } });
  });
});
