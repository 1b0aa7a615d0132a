// The violations ledger on its own, over a real (in-memory SQLite) store: consecutive datapoints,
// what a change of behaviours does to counts in progress and to open violations, the bus messages.
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageBus } from '../bus.js';
import type { Database } from '../store/database.js';
import { openStore } from '../store/open.js';
import type { Behavior } from './behaviors.js';
import { Violations, VIOLATIONS_TOPIC } from './violations.js';

const dbs: Database[] = [];
afterEach(async () => Promise.all(dbs.splice(0).map((db) => db.close())));

async function ledger() {
  const db = await openStore({ memory: true });
  dbs.push(db);
  const published: { topic: string; message: { state?: string; violationEventType?: string } }[] = [];
  const bus: MessageBus = { subscribe: () => undefined, publish: async (topic, payload) => void published.push({ topic, message: JSON.parse(String(payload)) }) };
  const clock = { now: 1000 };
  const violations = new Violations(db, () => clock.now);
  violations.bind(bus);
  return { db, violations, published, clock };
}

const drops: Behavior = { name: 'drops', metric: 'aws:num-disconnects', comparisonOperator: 'greater-than', value: 2, durationSeconds: 60, consecutiveDatapointsToAlarm: 3 };
const states = async (v: Violations) => (await v.list()).map((x) => [x.thing, x.state]);

describe('Violations', () => {
  it('raises after consecutiveDatapointsToAlarm in a row; a good datapoint or a changed behaviour starts the count afresh', async () => {
    const { violations } = await ledger();
    const point = (breaking: boolean, b = drops) => violations.datapoint('hub', b, breaking ? 5 : 0, breaking, '> 2');
    await point(true);
    await point(true);
    await point(false);
    await point(true);
    await point(true);
    expect(await states(violations)).toEqual([]);
    const stricter = { ...drops, value: 1 };
    await violations.retire([drops], [stricter]);
    await point(true, stricter);
    await point(true, stricter);
    expect(await states(violations)).toEqual([]);
    await point(true, stricter);
    expect(await states(violations)).toEqual([['hub', 'active']]);
  });

  it('an unchanged behaviour keeps its count and its violation across a change of the others', async () => {
    const { violations, published, clock } = await ledger();
    const other: Behavior = { ...drops, name: 'other' };
    for (let i = 0; i < 2; i++) await violations.datapoint('hub', drops, 5, true, '> 2');
    for (let i = 0; i < 3; i++) await violations.datapoint('hub', other, 5, true, '> 2');
    clock.now = 1500;
    await violations.retire([drops, other], [drops]);
    await violations.datapoint('hub', drops, 5, true, '> 2');
    expect((await violations.list()).map((v) => [v.behavior, v.state, v.startedAt, v.clearedAt])).toEqual([['drops', 'active', 1500, undefined], ['other', 'cleared', 1000, 1500]]);
    expect(published.map((p) => [p.topic, p.message.violationEventType ?? p.message.state])).toEqual([
      ['$aws/events/defender/violations/hub', 'in-alarm'], [VIOLATIONS_TOPIC, 'active'],
      [VIOLATIONS_TOPIC, 'cleared'],
      ['$aws/events/defender/violations/hub', 'in-alarm'], [VIOLATIONS_TOPIC, 'active'],
    ]);
  });
});
