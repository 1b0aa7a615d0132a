// Detect's behaviours and violations (active and history) survive a cloud restart, on a SQLite
// file and on PostgreSQL (a server this file starts, as cloud/store/postgres.test.ts does;
// MOTE_SKIP_PG=1 skips that half on a machine without it). Seen through the HTTP API.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCloud, type Cloud } from '../cloud.js';
import type { StoreOptions } from '../store/open.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { mqttClients } from '../testing/mqtt-client.js';

const START = 1_800_000_000_000;
const MINUTE = 60_000;

async function survivesRestart(store: StoreOptions) {
  const clock = { now: START };
  const clients = mqttClients();
  const start = () => startCloud({ store, mqttPort: 0, wsPort: null, httpPort: 0, mqttsPort: null, defender: { clock: () => clock.now } });
  let c: Cloud = await start();
  const admin = c.newAdminToken!;
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(c.api!.url + route, { method, headers: { authorization: `Bearer ${admin}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    expect(response.status).toBe(200);
    return (await response.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of several shapes
  };
  let token = '';
  const window = async (messages: number) => {
    const device = await clients.connect(c.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: token });
    for (let i = 0; i < messages; i++) await device.publishAsync('things/lamp/data', 'x'.repeat(10), { qos: 1 });
    await vi.waitFor(() => expect(c.defender.cloudMetrics.current('lamp', 'aws:num-messages-sent', 60)).toBe(messages));
    await clients.closeAll();
    clock.now += MINUTE;
    await c.defender.tick();
  };
  try {
    await c.registry.things.create({ thingName: 'lamp' });
    const created = await c.registry.principals.createToken('lamp');
    token = created.token;
    await c.policies.create('lamp', { Statement: [{ Effect: 'Allow', Action: ['iot:Connect', 'iot:Publish'], Resource: ['client/lamp', 'topic/things/lamp/data'] }] });
    await c.policies.attach('lamp', created.tokenId);
    const behaviors = [
      { name: 'chatty', metric: 'aws:num-messages-sent', comparisonOperator: 'greater-than', value: 2, durationSeconds: 60 },
      { name: 'reconnects', metric: 'aws:num-connection-attempts', comparisonOperator: 'greater-than-equals', value: 1, durationSeconds: 60, consecutiveDatapointsToClear: 1 },
    ];
    await call('PUT', '/defender/behaviors', { behaviors });

    await window(3); // both broken
    await window(1); // chatty back within: cleared
    const before = await call('GET', '/defender/violations');
    expect(before.violations.map((v: { behavior: string; state: string }) => [v.behavior, v.state])).toEqual([['chatty', 'cleared'], ['reconnects', 'active']]);

    await c.close();
    c = await start();
    expect(await call('GET', '/defender/behaviors')).toEqual({ behaviors });
    expect(await call('GET', '/defender/violations')).toEqual(before);

    // The active violation was loaded: a quiet window clears it, with the id it had.
    clock.now += MINUTE;
    await c.defender.tick();
    expect(await call('GET', '/defender/violations?state=active')).toEqual({ violations: [] });
    const after = await call('GET', '/defender/violations?state=cleared&thing=lamp');
    expect(after.violations.map((v: { id: string }) => v.id).sort()).toEqual(before.violations.map((v: { id: string }) => v.id).sort());
  } finally {
    await clients.closeAll();
    await c.close();
  }
}

describe('Defender persistence', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('keeps behaviours and violations across a restart on SQLite', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mote-defender-'));
    dirs.push(dataDir);
    await survivesRestart({ dataDir });
  });

  const skip = process.env.MOTE_SKIP_PG === '1';
  describe.skipIf(skip)('on PostgreSQL', () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    }, 60_000);
    afterAll(async () => server?.stop());

    it('keeps behaviours and violations across a restart', async () => {
      await survivesRestart({ postgresUrl: await server.createDatabase() });
    });
  });
});
