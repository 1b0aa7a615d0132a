// Event detectors and alarms on PostgreSQL, against a server this file starts (Debian's
// postgresql): the same SQL the SQLite tests exercise, on the other store. MOTE_SKIP_PG=1 skips it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicMatches, type BusHandler, type MessageBus } from '../bus.js';
import { ShadowService } from '../shadow/service.js';
import { openStore } from '../store/open.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { ManualClock } from './clock.js';
import { detectorModel } from './model.js';
import { EventsService } from './service.js';

/** The bus without a broker, recording what is published. */
function localBus() {
  const subscriptions: { filter: string; handler: BusHandler }[] = [];
  const published: { topic: string; payload: unknown }[] = [];
  const bus: MessageBus = {
    subscribe: (filter, handler) => void subscriptions.push({ filter, handler }),
    publish: async (topic, payload) => {
      published.push({ topic, payload: JSON.parse(payload.toString()) });
      for (const s of subscriptions) if (topicMatches(s.filter, topic)) s.handler(topic, Buffer.from(payload), undefined);
    },
  };
  return { bus, published };
}

const model = detectorModel.parse({
  name: 'door', key: 'thing', inputs: { Door: { attributes: ['thing', 'open'] } }, initialState: 'Closed',
  states: [
    { stateName: 'Closed', onInput: { transitions: [{ condition: '$input.Door.open', nextState: 'Open', actions: [{ setTimer: { timerName: 'left', seconds: 60 } }] }] } },
    {
      stateName: 'Open',
      onInput: { transitions: [
        { condition: "timeout('left')", nextState: 'LeftOpen', actions: [{ raiseAlarm: { alarmName: 'open', severity: 1, message: 'door left open' } }, { setShadow: { section: 'reported', state: { alarm: 'true' } } }] },
        { condition: '!$input.Door.open', nextState: 'Closed', actions: [{ clearTimer: { timerName: 'left' } }] },
      ] },
    },
    { stateName: 'LeftOpen', onInput: { transitions: [{ condition: '!$input.Door.open', nextState: 'Closed', actions: [{ clearAlarm: { alarmName: 'open' } }] }] } },
  ],
});

const skip = process.env.MOTE_SKIP_PG === '1';

describe.skipIf(skip)('event detectors on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());

  it('keeps models, detectors, timers and alarms in the store, and a second process resumes them', async () => {
    const db = await openStore({ postgresUrl: await server.createDatabase() });
    try {
      const clock = new ManualClock(1_000_000);
      const { bus, published } = localBus();
      const shadows = new ShadowService(db);
      const first = await EventsService.start(db, { bus, shadows }, { clock });
      await first.putModel(model);
      expect(await first.sendInput('Door', { thing: 'front', open: true })).toEqual([{ model: 'door', key: 'front', state: 'Open' }]);
      await first.close();

      // Another process on the same database picks the timer up from its stored deadline.
      const later = new ManualClock(1_030_000);
      const second = await EventsService.start(db, { bus, shadows }, { clock: later });
      expect(second.listModels().map((m) => m.model)).toEqual([model]);
      later.advance(30_000);
      await second.idle();
      expect(await second.detectors('door')).toEqual([{ model: 'door', key: 'front', state: 'LeftOpen', variables: {}, timers: {}, updatedAt: 1_060_000 }]);
      const alarm = { model: 'door', key: 'front', name: 'open', state: 'ACTIVE', severity: 1, message: 'door left open', updatedAt: 1_060_000 };
      expect(await second.alarms.list()).toEqual([alarm]);
      expect(published.filter((p) => p.topic === '$aws/events/alarms/door/front').map((p) => p.payload)).toEqual([alarm]);
      expect((await shadows.get({ thingName: 'front' })).response).toMatchObject({ state: { reported: { alarm: true } } });

      // Acknowledged while the detector clears it: both land, in some order, with nothing lost.
      await Promise.all([second.alarms.acknowledge({ model: 'door', key: 'front', name: 'open' }, 'on my way'), second.sendInput('Door', { thing: 'front', open: false })]);
      const history = await second.alarms.history({ model: 'door', key: 'front', name: 'open' });
      expect(history.map((h) => h.state)).toEqual(history[1]!.state === 'ACKNOWLEDGED' ? ['ACTIVE', 'ACKNOWLEDGED', 'NORMAL'] : ['ACTIVE', 'LATCHED', 'NORMAL']);
      expect((await second.alarms.list())[0]).toMatchObject({ state: 'NORMAL', note: 'on my way' });

      await second.deleteModel('door');
      expect(await db.all('SELECT * FROM event_detectors')).toEqual([]);
      expect(await second.alarms.list()).toEqual([]);
      await second.close();
    } finally {
      await db.close();
    }
  });
});
