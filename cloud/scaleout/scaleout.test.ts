// Scale-out: cloud workers as MQTT clients of Debian's Mosquitto (started by the test), over one
// PostgreSQL (started by the test); devices talk only to Mosquitto. Telemetry is spread by a
// shared subscription ($share); shadow requests, on $aws topics that Mosquitto does not share,
// by partitioning the things. Fails when PostgreSQL or Mosquitto is missing; MOTE_SKIP_PG=1 skips it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Mosquitto } from '../../test/mosquitto.js';
import { inbox, mqttClients } from '../testing/mqtt-client.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { partitionOf } from './external-bus.js';
import { startWorker, type Worker, type WorkerOptions } from './worker.js';

const skip = process.env.MOTE_SKIP_PG === '1';

describe.skipIf(skip)('scale-out over Mosquitto', () => {
  let postgres: PostgresServer;
  let mosquitto: Mosquitto;
  const clients = mqttClients();
  const workers: Worker[] = [];
  let errors: Error[] = [];
  beforeAll(async () => {
    [postgres, mosquitto] = await Promise.all([startPostgres(), Mosquitto.start()]);
  }, 60_000);
  afterEach(async () => {
    await clients.closeAll();
    await Promise.all(workers.splice(0).map((w) => w.close()));
    expect(errors).toEqual([]);
    errors = [];
  });
  afterAll(async () => Promise.all([postgres?.stop(), mosquitto?.stop()]));

  async function start(count: number, broker: Partial<WorkerOptions['broker']> = {}) {
    const store = { postgresUrl: await postgres.createDatabase() };
    for (let i = 0; i < count; i++) {
      workers.push(await startWorker({ store, broker: { url: `mqtt://127.0.0.1:${mosquitto.port}`, ...broker, ...(broker.partition && { partition: { index: i, count } }) }, onError: (e) => errors.push(e) }));
    }
    return clients.connect(`mqtt://127.0.0.1:${mosquitto.port}`, { clientId: 'app' });
  }

  it('spreads telemetry over the workers with a shared subscription; each batch stored once', async () => {
    const device = await start(2);
    await workers[0]!.registry.things.create({ thingName: 'lamp' });
    const n = 20;
    for (let seq = 0; seq < n; seq++) await device.publishAsync('things/lamp/telemetry', JSON.stringify({ seq, dropped: 0, entries: [{ ts: 1000 + seq, m: { t: seq } }] }), { qos: 1 });
    await expect.poll(async () => (await workers[0]!.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM telemetry'))!.n).toBe(n);
    const shares = workers.map((w) => w.bus.delivered);
    expect(shares.every((s) => s > 0)).toBe(true);
    expect(shares[0]! + shares[1]!).toBe(n);
  });

  it('partitions shadow requests by thing over the workers, each answered once, none lost', async () => {
    const device = await start(2, { partition: { index: 0, count: 2 } });
    const things = Array.from({ length: 6 }, (_, i) => `lamp-${i}`);
    expect(new Set(things.map((t) => partitionOf(`$aws/things/${t}/shadow/update`, 2))).size).toBe(2); // both workers have things
    for (const thingName of things) await workers[0]!.registry.things.create({ thingName });
    const box = inbox(device);
    await device.subscribeAsync(things.map((t) => `$aws/things/${t}/shadow/update/accepted`), { qos: 1 });
    const rounds = 3;
    for (let r = 0; r < rounds; r++) {
      for (const t of things) await device.publishAsync(`$aws/things/${t}/shadow/update`, JSON.stringify({ state: { reported: { [`k${r}`]: r } } }), { qos: 1 });
    }
    for (const t of things) {
      const versions: number[] = [];
      for (let r = 0; r < rounds; r++) versions.push(((await box.next(`$aws/things/${t}/shadow/update/accepted`)) as { version: number }).version);
      expect(versions).toEqual([1, 2, 3]); // one worker per thing keeps its requests in order
    }
    const shares = workers.map((w) => w.bus.delivered);
    expect(shares.every((s) => s > 0)).toBe(true);
    expect(shares[0]! + shares[1]!).toBe(things.length * rounds);

    // Unknown things get AWS's 404 from whichever worker owns them.
    await device.subscribeAsync('$aws/things/ghost/shadow/get/rejected', { qos: 1 });
    await device.publishAsync('$aws/things/ghost/shadow/get', '{}', { qos: 1 });
    expect(await box.next('$aws/things/ghost/shadow/get/rejected')).toMatchObject({ code: 404, message: 'Thing not found' });
  });

  it('refuses a partition outside its count', async () => {
    await expect(startWorker({ store: { memory: true }, broker: { url: `mqtt://127.0.0.1:${mosquitto.port}`, partition: { index: 2, count: 2 } } })).rejects.toThrow('partition must be 0..count-1 of a whole count, not 2/2');
  });
});
