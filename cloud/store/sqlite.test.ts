// The store contract on SQLite, plus what only the file-backed store does: WAL, data kept across reopening.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registryContract } from '../registry/registry.contract.js';
import { shadowContract } from '../shadow/shadow.contract.js';
import { databaseContract } from './database.contract.js';
import { openStore, SQLITE_FILE } from './open.js';
import BetterSqlite3 from 'better-sqlite3';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-sqlite-'));
  dirs.push(dir);
  return dir;
}

databaseContract(() => openStore({ dataDir: tempDir() }));
registryContract(() => openStore({ dataDir: tempDir() }));
shadowContract(() => openStore({ dataDir: tempDir() }));

describe('SQLite store file', () => {
  it('is in WAL mode and keeps committed data across reopening', async () => {
    const dataDir = tempDir();
    const db = await openStore({ dataDir });
    await db.run('INSERT INTO policies (name, document, created_at, updated_at) VALUES (?, ?, ?, ?)', ['p', '{}', 1, 1]);
    await db.close();
    const raw = new BetterSqlite3(path.join(dataDir, SQLITE_FILE), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const again = await openStore({ dataDir });
    expect(await again.get('SELECT name FROM policies')).toEqual({ name: 'p' });
    await again.close();
  });
});
