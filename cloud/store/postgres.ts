/**
 * The scale store: PostgreSQL through a `pg` connection pool. Portable SQL's `?` placeholders
 * become `$1, $2, ...`; BIGINT and COUNT results come back as numbers, as on SQLite (mote's
 * numbers are epoch milliseconds and counters, well inside 2^53).
 */
import pg from 'pg';
import type { Database, Queryable, SqlValue } from './database.js';

export interface PostgresOptions {
  /** A libpq connection string, e.g. postgres://user@127.0.0.1:5432/mote. */
  connectionString: string;
  /** Pool size (default 10). */
  maxConnections?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** `?` placeholders numbered for PostgreSQL. Portable SQL has no `?` inside string literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function session(client: pg.Pool | pg.PoolClient): Queryable {
  const all = async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
    (await client.query({ text: numbered(sql), values: params as SqlValue[], types })).rows as Row[];
  return {
    all,
    get: async <Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> => (await all<Row>(sql, params))[0],
    run: async (sql, params = []) => ({ changes: (await client.query({ text: numbered(sql), values: params as SqlValue[], types })).rowCount ?? 0 }),
  };
}

export async function openPostgres({ connectionString, maxConnections = 10 }: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const client = await pool.connect(); // fail now, with the server's message, if it is unreachable
  client.release();
  const direct = session(pool);
  return {
    dialect: 'postgres',
    ...direct,
    async transaction(work) {
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await work(session(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}
