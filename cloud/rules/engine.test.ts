// The rules engine inside a real cloud (in-memory SQLite store, embedded broker on a free port):
// devices publish over MQTT, rules act, results are read from the bus, the store, a loopback
// HTTP server and the HTTP API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../cloud.js';
import { mqttClients } from '../testing/mqtt-client.js';
import { RulesEngine } from './engine.js';
import type { RulePayload } from './rule.js';
import { rulePayload } from './rule.js';

const clouds: Cloud[] = [];
const servers: http.Server[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function cloud() {
  const errors: Error[] = [];
  const c = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: 0, onError: (e) => errors.push(e) });
  clouds.push(c);
  /** Messages the cloud's bus carried on `filter`, as JSON. */
  const seen = (filter: string) => {
    const messages: { topic: string; payload: unknown }[] = [];
    c.broker.bus.subscribe(filter, (topic, payload) => messages.push({ topic, payload: JSON.parse(payload.toString()) }));
    return messages;
  };
  const rule = (name: string, payload: Record<string, unknown>) => c.rules.create(name, rulePayload.parse(payload) as RulePayload);
  return { cloud: c, errors, seen, rule };
}

const principalOf = new Map<string, string>();

/** A device with a policy allowing everything (Basic Ingest topics are outside the default policy). */
async function device(c: Cloud, thingName: string) {
  await c.registry.things.create({ thingName });
  const { token, tokenId } = await c.registry.principals.createToken(thingName);
  principalOf.set(thingName, tokenId);
  await c.policies.create(`all_${thingName}`, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iot:*'], Resource: ['*'] }] }).catch(() => undefined);
  await c.policies.attach(`all_${thingName}`, tokenId);
  return clients.connect(c.broker.urls.mqtt, { clientId: thingName, username: thingName, password: token });
}

async function server(answer: (body: string, count: number) => number) {
  const bodies: string[] = [];
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(answer(body, bodies.length)).end();
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, bodies };
}

describe('rules engine', () => {
  it('republishes the SELECT output with substitution templates, only when WHERE holds, and follows enable/disable/delete at run time', async () => {
    const { cloud: c, seen, rule } = await cloud();
    const out = seen('alerts/#');
    await rule('hot', {
      sql: "SELECT temp, topic(2) AS room, clientid() AS device, principal() AS principal FROM 'sensors/+/temp' WHERE temp > 30",
      actions: [{ republish: { topic: 'alerts/${topic(2)}/${upper(level)}', qos: 1 } }],
    });
    const lamp = await device(c, 'lamp-1');
    await lamp.publishAsync('sensors/hall/temp', JSON.stringify({ temp: 35, level: 'high' }), { qos: 1 });
    await lamp.publishAsync('sensors/hall/temp', JSON.stringify({ temp: 20, level: 'low' }), { qos: 1 });
    await c.rules.idle();
    expect(out).toEqual([{ topic: 'alerts/hall/HIGH', payload: { temp: 35, room: 'hall', device: 'lamp-1', principal: principalOf.get('lamp-1') } }]);
    expect(principalOf.get('lamp-1')).toMatch(/^tok-[0-9a-f]{16}$/);

    await c.rules.setEnabled('hot', false);
    await lamp.publishAsync('sensors/hall/temp', JSON.stringify({ temp: 40, level: 'x' }), { qos: 1 });
    await c.rules.idle();
    expect(out).toHaveLength(1);
    await c.rules.setEnabled('hot', true);
    await lamp.publishAsync('sensors/kitchen/temp', JSON.stringify({ temp: 41, level: 'x' }), { qos: 1 });
    await c.rules.idle();
    expect(out.map((m) => m.topic)).toEqual(['alerts/hall/HIGH', 'alerts/kitchen/X']);
    await c.rules.delete('hot');
    await lamp.publishAsync('sensors/kitchen/temp', JSON.stringify({ temp: 42, level: 'x' }), { qos: 1 });
    await c.rules.idle();
    expect(out).toHaveLength(2);
  });

  it('Basic Ingest: $aws/rules/{rule}/... reaches only that rule, which sees the topic without the prefix; nobody may subscribe there', async () => {
    const { cloud: c, seen, rule } = await cloud();
    const out = seen('ingested/#');
    await rule('ingest_me', { sql: "SELECT *, topic() AS t, topic(1) AS first FROM 'ignored/for/ingest'", actions: [{ republish: { topic: 'ingested/one' } }] });
    const caught: unknown[] = [];
    c.rules.registerHandler('catch', (output, message) => void caught.push([message.topic, output]));
    await rule('catch_all', { sql: "SELECT * FROM '#'", actions: [{ handler: { name: 'catch' } }] });
    const dev = await device(c, 'meter-1');
    await dev.publishAsync('$aws/rules/ingest_me/meters/m1', JSON.stringify({ kwh: 3 }), { qos: 1 });
    await dev.publishAsync('$aws/rules/no_such_rule/x', JSON.stringify({ kwh: 4 }), { qos: 1 });
    await c.rules.idle();
    expect(out).toEqual([{ topic: 'ingested/one', payload: { kwh: 3, t: 'meters/m1', first: 'meters' } }]);
    // The catch-all rule saw the republished message, never the Basic Ingest ones.
    expect(caught).toEqual([['ingested/one', { kwh: 3, t: 'meters/m1', first: 'meters' }]]);
    await expect(dev.subscribeAsync('$aws/rules/ingest_me/#', { qos: 0 })).rejects.toThrow('Subscribe error');
  });

  it('stores the output as the thing\'s telemetry (the SDK batch format), and reads shadows with get_thing_shadow()', async () => {
    const { cloud: c, rule } = await cloud();
    await c.registry.things.create({ thingName: 'greenhouse-1' });
    await c.shadows.update({ thingName: 'greenhouse-1' }, JSON.stringify({ state: { reported: { vents: 'open' } } }));
    await rule('store', {
      sql: "SELECT seq, dropped, entries FROM 'farm/+/batch' WHERE get_thing_shadow(topic(2), 'arn:aws:iam::1:role/r').state.reported.vents = 'open'",
      actions: [{ telemetry: {} }],
    });
    const batch = { seq: 0, dropped: 0, entries: [{ ts: 1_767_225_600_000, m: { temp: 21.5 } }, { ts: 1_767_225_601_000, m: { temp: 21.7 } }] };
    await c.broker.bus.publish('farm/greenhouse-1/batch', JSON.stringify(batch));
    await c.broker.bus.publish('farm/greenhouse-2/batch', JSON.stringify({ ...batch, seq: 1 }));
    await c.rules.idle();
    expect(await c.telemetry.entries('greenhouse-1')).toEqual(batch.entries);
    expect(await c.telemetry.entries('greenhouse-2')).toEqual([]);
  });

  it('POSTs to an HTTP webhook, retrying 5xx with backoff', async () => {
    const { cloud: c, errors, rule } = await cloud();
    const hook = await server((_body, n) => (n <= 2 ? 503 : 200));
    await rule('hook', { sql: "SELECT a FROM 'in'", actions: [{ http: { url: hook.url, backoffMs: 5, headers: [{ key: 'x-device', value: '${clientid()}' }] } }] });
    await c.broker.bus.publish('in', JSON.stringify({ a: 1, b: 2 }));
    await c.rules.idle();
    expect(hook.bodies).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
    expect(errors).toEqual([]);
  });

  it('sends failures to the error action with AWS\'s error message: a webhook that keeps failing, a throwing handler', async () => {
    const { cloud: c, seen, rule } = await cloud();
    const failed = seen('failures');
    const hook = await server(() => 500);
    c.rules.registerHandler('explode', () => {
      throw new Error('handler broke');
    });
    await rule('fragile', {
      sql: "SELECT * FROM 'in'",
      actions: [{ http: { url: hook.url, retries: 2, backoffMs: 1 } }, { handler: { name: 'explode' } }],
      errorAction: { republish: { topic: 'failures' } },
    });
    await c.broker.bus.publish('in', '{"x":1}');
    await c.rules.idle();
    expect(hook.bodies).toHaveLength(3);
    expect(failed).toEqual([{
      topic: 'failures',
      payload: {
        ruleName: 'fragile', topic: 'in', clientId: 'n/a', base64OriginalPayload: Buffer.from('{"x":1}').toString('base64'),
        failures: [
          { failedAction: 'HttpAction', failedResource: hook.url, errorMessage: 'HTTP 500 (3 attempts)' },
          { failedAction: 'HandlerAction', failedResource: 'explode', errorMessage: 'handler broke' },
        ],
      },
    }]);
  });

  it('calls a registered JavaScript handler with the output; a rule naming an unknown handler or republishing onto its own FROM is refused', async () => {
    const { cloud: c, rule } = await cloud();
    const got: unknown[] = [];
    c.rules.registerHandler('collect', (output, message) => void got.push({ output, topic: message.topic, rule: message.ruleName }));
    await rule('js', { sql: "SELECT v * 2 AS doubled FROM 'calc/#'", actions: [{ handler: { name: 'collect' } }] });
    await c.broker.bus.publish('calc/x', '{"v":21}');
    await c.rules.idle();
    expect(got).toEqual([{ output: { doubled: 42 }, topic: 'calc/x', rule: 'js' }]);
    await expect(rule('nope', { sql: "SELECT * FROM 'a'", actions: [{ handler: { name: 'missing' } }] })).rejects.toThrow("no handler named 'missing'");
    await expect(rule('loop', { sql: "SELECT * FROM 'a/#'", actions: [{ republish: { topic: 'a/b' } }] })).rejects.toThrow('would feed the rule its own output');
    await expect(rule('js', { sql: "SELECT * FROM 'a'", actions: [{ handler: { name: 'collect' } }] })).rejects.toThrow('already exists');
  });

  it('keeps rules in the store: an engine started later loads them', async () => {
    const { cloud: c, rule } = await cloud();
    const created = await rule('kept', { sql: "SELECT 1 AS one FROM 'k'", actions: [{ republish: { topic: 'k/out' } }], ruleDisabled: true });
    const again = await RulesEngine.start(c.db, c.broker.bus);
    expect(again.list()).toEqual([created]);
    expect(again.get('kept').ruleDisabled).toBe(true);
  });
});

describe('rules over the HTTP API', () => {
  it('creates, lists, disables, enables, replaces and deletes rules; a malformed SQL statement or template is a 400 naming line:column', async () => {
    const { cloud: c, seen } = await cloud();
    const out = seen('api/out');
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(c.api!.url + path, {
        method, headers: { authorization: `Bearer ${c.newAdminToken!}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const bad = await call('POST', '/rules', { ruleName: 'bad', sql: "SELECT a FROM 'x'\nWHERE a >", actions: [{ republish: { topic: 'y' } }] });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ path: 'body.sql', message: '2:10: expected a value, a field, a function call or (, found the end of the statement' }]);
    const badTemplate = await call('POST', '/rules', { ruleName: 'bad', sql: "SELECT a FROM 'x'", actions: [{ republish: { topic: 'y/${topic(}' } }] });
    expect(badTemplate.status).toBe(400);
    expect(badTemplate.body.issues[0].path).toBe('body.actions.0.republish.topic');
    expect(badTemplate.body.issues[0].message).toMatch(/^1:11: /);
    expect((await call('GET', '/rules')).body).toEqual({ rules: [] });

    const created = await call('POST', '/rules', { ruleName: 'r1', sql: "SELECT a FROM 'api/in'", actions: [{ republish: { topic: 'api/out' } }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ruleName: 'r1', ruleDisabled: false, actions: [{ republish: { topic: 'api/out', qos: 0 } }] });
    expect((await call('POST', '/rules/r1/disable')).body.ruleDisabled).toBe(true);
    await c.broker.bus.publish('api/in', '{"a":1}');
    expect((await call('POST', '/rules/r1/enable')).body.ruleDisabled).toBe(false);
    await c.broker.bus.publish('api/in', '{"a":2}');
    const replaced = await call('PUT', '/rules/r1', { sql: "SELECT a * 10 AS a FROM 'api/in'", actions: [{ republish: { topic: 'api/out' } }] });
    expect(replaced.status).toBe(200);
    await c.broker.bus.publish('api/in', '{"a":3}');
    await c.rules.idle();
    expect(out.map((m) => m.payload)).toEqual([{ a: 2 }, { a: 30 }]);
    expect((await call('GET', '/rules/r1')).body.sql).toBe("SELECT a * 10 AS a FROM 'api/in'");
    expect((await call('DELETE', '/rules/r1')).status).toBe(204);
    expect((await call('GET', '/rules/r1')).status).toBe(404);
    expect((await call('POST', '/rules', { ruleName: 'x', sql: "SELECT a FROM 'x'", actions: [], extra: 1 })).status).toBe(400);
  });
});
