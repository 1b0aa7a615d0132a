/** Opens the store a cloud process uses: PostgreSQL when given a URL, else SQLite in the data directory. Migrated. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './database.js';
import { migrate } from './migrations.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

export type StoreOptions = { dataDir: string } | { postgresUrl: string } | { memory: true };

/** File name of the SQLite database inside the data directory. */
export const SQLITE_FILE = 'mote-cloud.sqlite';

export async function openStore(options: StoreOptions): Promise<Database> {
  let db: Database;
  if ('postgresUrl' in options) {
    db = await openPostgres({ connectionString: options.postgresUrl });
  } else if ('dataDir' in options) {
    mkdirSync(options.dataDir, { recursive: true });
    db = openSqlite({ file: path.join(options.dataDir, SQLITE_FILE) });
  } else {
    db = openSqlite({ file: ':memory:' });
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
