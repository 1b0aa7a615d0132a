// Rules and fleet search on PostgreSQL, against a server this file starts (Debian's postgresql):
// the same SQL the SQLite tests exercise, on the other store. MOTE_SKIP_PG=1 skips it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicMatches, type BusHandler, type MessageBus } from '../bus.js';
import { Registry } from '../registry/registry.js';
import { FleetSearch } from '../search/index.js';
import { ShadowService } from '../shadow/service.js';
import { openStore } from '../store/open.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { RulesEngine } from './engine.js';
import { rulePayload } from './rule.js';

/** The bus without a broker: publishes go straight to the subscribers, as the embedded broker's do. */
function localBus(): MessageBus {
  const subscriptions: { filter: string; handler: BusHandler }[] = [];
  return {
    subscribe: (filter, handler) => void subscriptions.push({ filter, handler }),
    publish: async (topic, payload) => {
      for (const s of subscriptions) if (topicMatches(s.filter, topic)) s.handler(topic, Buffer.from(payload), undefined);
    },
  };
}

const skip = process.env.MOTE_SKIP_PG === '1';

describe.skipIf(skip)('rules and fleet search on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());

  it('keeps rules across engines and acts on them', async () => {
    const db = await openStore({ postgresUrl: await server.createDatabase() });
    try {
      const bus = localBus();
      const engine = await RulesEngine.start(db, bus);
      const got: unknown[] = [];
      engine.registerHandler('collect', (output) => void got.push(output));
      const payload = rulePayload.parse({ sql: "SELECT n + 1 AS n FROM 'count'", actions: [{ handler: { name: 'collect' } }] });
      const created = await engine.create('count_up', payload);
      await expect(engine.create('count_up', payload)).rejects.toThrow('already exists');
      await engine.setEnabled('count_up', false);
      await engine.setEnabled('count_up', true);
      await bus.publish('count', '{"n":1}');
      await engine.idle();
      expect(got).toEqual([{ n: 2 }]);
      const later = await RulesEngine.start(db, localBus());
      expect(later.list()).toEqual([{ ...created, updatedAt: later.get('count_up').updatedAt }]);
      await engine.delete('count_up');
      expect((await RulesEngine.start(db, localBus())).list()).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('searches things, groups, shadows and connectivity', async () => {
    const db = await openStore({ postgresUrl: await server.createDatabase() });
    try {
      const registry = new Registry(db);
      const shadows = new ShadowService(db);
      await registry.things.create({ thingName: 'lamp-1', attributes: { floor: '3' } });
      await registry.things.create({ thingName: 'lamp-2', attributes: { floor: '12' } });
      await registry.groups.create({ groupName: 'lights' });
      await registry.groups.addThing('lights', 'lamp-2');
      await shadows.update({ thingName: 'lamp-2', shadowName: 'cfg' }, JSON.stringify({ state: { desired: { on: true } } }));
      await registry.connectivity.connected('lamp-1', 's', 'lamp-1');
      const names = async (q: string) => (await new FleetSearch(db).search(q)).things.map((t) => t.thingName);
      expect(await names('attributes.floor:[2 TO 10]')).toEqual(['lamp-1']);
      expect(await names('thingGroupNames:lights AND shadow.name.cfg.hasDelta:true')).toEqual(['lamp-2']);
      expect(await names('connectivity.connected:true')).toEqual(['lamp-1']);
    } finally {
      await db.close();
    }
  });
});
