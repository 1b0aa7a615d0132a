/** The shadow service on a store; sqlite.test.ts and postgres.test.ts in cloud/store run it on both. */
import { describe, expect, it } from 'vitest';
import type { Database } from '../store/database.js';
import { ShadowService } from './service.js';

export function shadowContract(open: () => Promise<Database>): void {
  describe('Shadow contract', () => {
    it('loses no update when many arrive at once: every key lands, versions 1..N each given once', async () => {
      const db = await open();
      const svc = new ShadowService(db);
      const n = 20;
      const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => svc.update({ thingName: 'busy' }, JSON.stringify({ state: { reported: { [`k${i}`]: i } } }))));
      expect(outcomes.every((o) => o.accepted)).toBe(true);
      const versions = outcomes.map((o) => (o.response as { version: number }).version).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const got = (await svc.get({ thingName: 'busy' })).response as { state: { reported: Record<string, number> }; version: number };
      expect(Object.keys(got.state.reported)).toHaveLength(n);
      expect(got.version).toBe(n);
      await db.close();
    });
  });
}
