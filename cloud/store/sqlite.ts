/**
 * The embedded store: one SQLite file through better-sqlite3, in WAL mode with full
 * synchronous commits, so a committed transaction survives a crash or power loss and readers
 * never block the writer.
 *
 * better-sqlite3 is synchronous and the connection is shared, so an open transaction would see
 * every statement issued meanwhile by other async work. A queue runs statements and whole
 * transactions one at a time; a transaction holds the queue until it commits or rolls back.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Queryable, SqlValue } from './database.js';

export interface SqliteOptions {
  /** Database file path, or ':memory:'. */
  file: string;
}

export function openSqlite({ file }: SqliteOptions): Database {
  const db = new BetterSqlite3(file);
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');

  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  // Direct calls, used only by whoever holds the queue.
  const direct: Queryable = {
    all: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) => {
      const statement = prepare(sql);
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as Row[];
    },
    get: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).get(...params) as Row | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: prepare(sql).run(...params).changes }),
  };

  let tail: Promise<unknown> = Promise.resolve();
  /** Runs `job` after everything queued before it. */
  function queued<T>(job: () => Promise<T>): Promise<T> {
    const result = tail.then(job);
    tail = result.catch(() => undefined);
    return result;
  }

  let closed = false;
  const checkOpen = () => {
    if (closed) throw new Error('the SQLite store is closed');
  };

  return {
    dialect: 'sqlite',
    all: (sql, params) => queued(async () => (checkOpen(), direct.all(sql, params))),
    get: (sql, params) => queued(async () => (checkOpen(), direct.get(sql, params))),
    run: (sql, params) => queued(async () => (checkOpen(), direct.run(sql, params))),
    transaction: (work) =>
      queued(async () => {
        checkOpen();
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    close: () =>
      queued(async () => {
        if (closed) return;
        closed = true;
        db.close();
      }),
  };
}
