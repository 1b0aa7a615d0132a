// Telemetry series end to end in a real cloud (in-memory SQLite, embedded broker and HTTP API on
// free loopback ports): devices publish batches over MQTT, a SELECT ... WHERE rule stores shaped
// readings, and the series, retention and refusals are read over HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBatch, encodeEntry } from '../../sdk/telemetry/format.js';
import { startCloud, type Cloud } from '../cloud.js';
import { rulePayload, type RulePayload } from '../rules/rule.js';
import { mqttClients } from '../testing/mqtt-client.js';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const clouds: Cloud[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

async function cloud() {
  const errors: Error[] = [];
  const c = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: 0, onError: (e) => errors.push(e) });
  clouds.push(c);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(c.api!.url + path, {
      method,
      headers: { authorization: `Bearer ${c.newAdminToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  /** A registered thing connected over MQTT with a policy allowing any topic. */
  const device = async (thingName: string) => {
    await c.registry.things.create({ thingName });
    const { token, tokenId } = await c.registry.principals.createToken(thingName);
    await c.policies.create(`all_${thingName}`, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iot:*'], Resource: ['*'] }] });
    await c.policies.attach(`all_${thingName}`, tokenId);
    return clients.connect(c.broker.urls.mqtt, { clientId: thingName, username: thingName, password: token });
  };
  return { c, call, device, errors };
}

describe('telemetry series over HTTP', () => {
  it('answers points, buckets and downsampled series of batches published as JSON and CBOR', async () => {
    const { c, call, device, errors } = await cloud();
    const lamp = await device('lamp-1');
    const entries = (format: 'json' | 'cbor', start: number) => Array.from({ length: 60 }, (_, i) => encodeEntry(format, T0 + (start + i) * 1000, { temp: start + i, mode: 'eco' }));
    await lamp.publishAsync('things/lamp-1/telemetry', Buffer.from(encodeBatch('json', 0, 0, entries('json', 0))), { qos: 1 });
    await lamp.publishAsync('things/lamp-1/telemetry', Buffer.from(encodeBatch('cbor', 1, 0, entries('cbor', 60))), { qos: 1 });
    await expect.poll(async () => (await call('GET', '/things/lamp-1/telemetry/temp?agg=count')).body.points).toEqual([{ ts: T0, count: 120 }]);

    const range = await call('GET', '/things/lamp-1/telemetry/temp?from=2026-01-01T00:00:58Z&to=' + (T0 + 61_000));
    expect(range).toEqual({ status: 200, body: { thingName: 'lamp-1', measure: 'temp', points: [{ ts: T0 + 58_000, value: 58 }, { ts: T0 + 59_000, value: 59 }, { ts: T0 + 60_000, value: 60 }] } });
    const buckets = await call('GET', '/things/lamp-1/telemetry/temp?bucket=1m&agg=min,max,avg,count,sum');
    expect(buckets.body.bucketMs).toBe(60_000);
    expect(buckets.body.points).toEqual([
      { ts: T0, min: 0, max: 59, avg: 29.5, count: 60, sum: 1770 },
      { ts: T0 + 60_000, min: 60, max: 119, avg: 89.5, count: 60, sum: 5370 },
    ]);
    const downsampled = await call('GET', `/things/lamp-1/telemetry/temp?from=${T0}&to=${T0 + 120_000}&points=4`);
    expect(downsampled.body.points).toEqual([0, 1, 2, 3].map((i) => ({ ts: T0 + i * 30_000, avg: i * 30 + 14.5 })));
    const page = await call('GET', '/things/lamp-1/telemetry/mode?limit=2');
    expect(page.body).toEqual({ thingName: 'lamp-1', measure: 'mode', points: [{ ts: T0, value: 'eco' }, { ts: T0 + 1000, value: 'eco' }], nextFrom: T0 + 1001 });
    expect(errors).toEqual([]);
  });

  it("stores through a SELECT ... WHERE rule's telemetry action: only the messages WHERE lets through become points", async () => {
    const { c, call, device } = await cloud();
    const sensor = await device('gh-1');
    await c.rules.create('greenhouse', rulePayload.parse({
      sql: "SELECT 0 AS seq, 0 AS dropped, [{'ts': at, 'm': {'temp': temp, 'hot': temp > 30}}] AS entries FROM 'sensors/+/data' WHERE temp > 0",
      actions: [{ telemetry: {} }],
    }) as RulePayload);
    for (const [i, temp] of [12, -4, 35, 20].entries()) await sensor.publishAsync('sensors/gh-1/data', JSON.stringify({ at: T0 + i * 1000, temp }), { qos: 1 });
    await c.rules.idle();
    expect((await call('GET', '/things/gh-1/telemetry/temp')).body.points).toEqual([{ ts: T0, value: 12 }, { ts: T0 + 2000, value: 35 }, { ts: T0 + 3000, value: 20 }]);
    expect((await call('GET', '/things/gh-1/telemetry/hot?agg=avg,count')).body.points).toEqual([{ ts: T0, avg: 1 / 3, count: 3 }]);
  });

  it('refuses a bad query with 400 and the reason per parameter, an unknown thing with 404', async () => {
    const { call, device } = await cloud();
    await device('lamp-1');
    const issues = async (query: string) => {
      const answer = await call('GET', `/things/lamp-1/telemetry/temp?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('InvalidRequestException');
      return answer.body.issues;
    };
    expect(await issues('bucket=1x')).toEqual([{ path: 'query.bucket', message: expect.stringContaining("'1x' is not a duration") }]);
    expect(await issues('agg=avg,median')).toEqual([{ path: 'query.agg', message: "unknown aggregate 'median': choose from min, max, avg, count, sum" }]);
    expect(await issues('from=yesterday')).toEqual([{ path: 'query.from', message: expect.stringContaining("'yesterday' is not a time") }]);
    expect(await issues('from=20&to=10')).toEqual([{ path: 'query.to', message: 'to (10) must be after from (20)' }]);
    expect(await issues('bucket=1m&points=10')).toEqual([{ path: 'query.points', message: 'give bucket or points, not both' }]);
    expect((await issues('points=0'))[0].path).toBe('query.points');
    expect((await issues('limit=10001'))[0].path).toBe('query.limit');
    expect((await issues('step=1m'))[0].message).toMatch(/step/);
    expect((await call('GET', '/things/nobody/telemetry/temp')).status).toBe(404);
  });

  it('keeps telemetry for the global or per-thing limit, deleting on demand', async () => {
    const { c, call, device } = await cloud();
    await device('lamp-1');
    await device('lamp-2');
    const now = Date.now();
    for (const thing of ['lamp-1', 'lamp-2']) {
      const batch = encodeBatch('json', 0, 0, [now - 3 * 86_400_000, now - 3_600_000, now].map((ts) => encodeEntry('json', ts, { temp: 1 })));
      await c.telemetry.receive(`things/${thing}/telemetry`, batch);
    }
    expect(await call('GET', '/telemetry-retention')).toEqual({ status: 200, body: { things: {} } });
    expect((await call('PUT', '/telemetry-retention', { maxAge: '1d' })).body).toEqual({ maxAgeMs: 86_400_000, things: {} });
    expect((await call('PUT', '/things/lamp-2/telemetry-retention', { maxAge: '30m' })).body).toEqual({ maxAgeMs: 86_400_000, things: { 'lamp-2': 1_800_000 } });
    expect((await call('PUT', '/telemetry-retention', { maxAge: 'forever' })).status).toBe(400);
    expect((await call('PUT', '/things/nobody/telemetry-retention', { maxAge: '1h' })).status).toBe(404);
    expect((await call('POST', '/telemetry-retention/run')).body).toEqual({ deletedPoints: 3, deletedBatches: 0 });
    expect((await call('GET', '/things/lamp-1/telemetry/temp?agg=count')).body.points[0].count).toBe(2);
    expect((await call('GET', '/things/lamp-2/telemetry/temp?agg=count')).body.points[0].count).toBe(1);
    expect((await call('DELETE', '/things/lamp-2/telemetry-retention')).status).toBe(204);
    expect((await call('DELETE', '/telemetry-retention')).status).toBe(204);
    expect(await call('GET', '/telemetry-retention')).toEqual({ status: 200, body: { things: {} } });
  });
});
