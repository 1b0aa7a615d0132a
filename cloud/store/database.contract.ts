/**
 * The store contract every Database adapter passes: sqlite.test.ts and postgres.test.ts run it.
 * `open` returns a fresh, migrated, empty database.
 */
import { describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { migrate, migrations } from './migrations.js';

export function databaseContract(open: () => Promise<Database>): void {
  describe('Database contract', () => {
    it('is migrated once: a second run applies nothing', async () => {
      const db = await open();
      expect(await migrate(db)).toEqual([]);
      const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
      await db.close();
    });

    it('binds ? placeholders and returns numbers, strings and nulls as JS values', async () => {
      const db = await open();
      const at = 1_767_225_600_123; // epoch ms, beyond 32 bits
      await db.run('INSERT INTO policies (name, document, created_at, updated_at) VALUES (?, ?, ?, ?)', ['p-é✓', '{"a":1}', at, at + 1]);
      const row = await db.get<{ name: string; document: string; created_at: number; updated_at: number }>('SELECT * FROM policies WHERE name = ?', ['p-é✓']);
      expect(row).toEqual({ name: 'p-é✓', document: '{"a":1}', created_at: at, updated_at: at + 1 });
      expect(await db.get('SELECT * FROM policies WHERE name = ?', ['missing'])).toBeUndefined();
      const count = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM policies');
      expect(count).toEqual({ n: 1 });
      await db.run('INSERT INTO connectivity (client_id, thing_name, session_id, connected, changed_at, disconnect_reason) VALUES (?, ?, ?, ?, ?, ?)', ['c', null, 's', 1, at, null]);
      expect(await db.get('SELECT thing_name, disconnect_reason FROM connectivity')).toEqual({ thing_name: null, disconnect_reason: null });
      await db.close();
    });

    it('reports how many rows a statement changed, and upserts with ON CONFLICT', async () => {
      const db = await open();
      const upsert = 'INSERT INTO shadows (thing_name, shadow_name, document, version, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (thing_name, shadow_name) DO UPDATE SET document = excluded.document, version = shadows.version + 1';
      expect((await db.run(upsert, ['t', '', '{}', 1, 0])).changes).toBe(1);
      expect((await db.run(upsert, ['t', '', '{"x":1}', 1, 0])).changes).toBe(1);
      expect(await db.get('SELECT document, version FROM shadows')).toEqual({ document: '{"x":1}', version: 2 });
      expect((await db.run('UPDATE shadows SET version = 9 WHERE version = ?', [5])).changes).toBe(0);
      expect((await db.run('DELETE FROM shadows')).changes).toBe(1);
      await db.close();
    });

    it('numbers auto-increment keys in insertion order', async () => {
      const db = await open();
      for (const topic of ['a', 'b', 'c']) await db.run('INSERT INTO telemetry (topic, received_at, payload) VALUES (?, ?, ?)', [topic, 1, '{}']);
      const rows = await db.all<{ id: number; topic: string }>('SELECT id, topic FROM telemetry ORDER BY id');
      expect(rows.map((r) => r.topic)).toEqual(['a', 'b', 'c']);
      expect(rows[0]!.id).toBeLessThan(rows[1]!.id);
      expect(typeof rows[0]!.id).toBe('number');
      await db.close();
    });

    it('commits a transaction that resolves and rolls back one that throws, writing nothing', async () => {
      const db = await open();
      const insert = 'INSERT INTO thing_types (name, searchable_attributes, created_at) VALUES (?, ?, ?)';
      expect(await db.transaction(async (tx) => (await tx.run(insert, ['kept', '[]', 1]), 'done'))).toBe('done');
      await expect(
        db.transaction(async (tx) => {
          await tx.run(insert, ['lost-1', '[]', 1]);
          await tx.run(insert, ['lost-2', '[]', 1]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      // A constraint violation in the middle also undoes the statements before it.
      await expect(
        db.transaction(async (tx) => {
          await tx.run(insert, ['lost-3', '[]', 1]);
          await tx.run(insert, ['kept', '[]', 1]);
        }),
      ).rejects.toThrow();
      const names = await db.all<{ name: string }>('SELECT name FROM thing_types ORDER BY name');
      expect(names.map((r) => r.name)).toEqual(['kept']);
      await db.close();
    });

    it('keeps writes made outside a transaction that rolls back at the same time', async () => {
      const db = await open();
      const insert = 'INSERT INTO thing_types (name, searchable_attributes, created_at) VALUES (?, ?, ?)';
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const failing = db.transaction(async (tx) => {
        await tx.run(insert, ['inside', '[]', 1]);
        await gate;
        throw new Error('abort');
      });
      const outside = db.run(insert, ['outside', '[]', 1]);
      release();
      await expect(failing).rejects.toThrow('abort');
      await outside;
      expect((await db.all<{ name: string }>('SELECT name FROM thing_types')).map((r) => r.name)).toEqual(['outside']);
      await db.close();
    });

    it('enforces foreign keys', async () => {
      const db = await open();
      await expect(db.run('INSERT INTO things (name, thing_type, attributes, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', ['t', 'no-such-type', '{}', 1, 0, 0])).rejects.toThrow();
      await db.close();
    });

    it('refuses work after close', async () => {
      const db = await open();
      await db.close();
      await expect(db.get('SELECT 1 AS one')).rejects.toThrow();
    });
  });
}
