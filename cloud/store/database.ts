/**
 * The store's contract: a small SQL database that every cloud service writes through. Two
 * adapters implement it, SQLite (sqlite.ts, the embedded default) and PostgreSQL (postgres.ts,
 * the scale option); services write portable SQL once and run on both.
 *
 * Portable SQL here means: `?` placeholders (the PostgreSQL adapter numbers them), INTEGER and
 * BIGINT numbers (both come back as JS numbers), TEXT for strings and JSON documents,
 * `INSERT ... ON CONFLICT ... DO UPDATE`, and no dialect-specific functions.
 */

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | null;

/** Runs statements; a Database, or the session inside one of its transactions. */
export interface Queryable {
  /** The rows a query returns, as objects keyed by column name. */
  all<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. */
  get<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Runs a statement; `changes` is how many rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export interface Database extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the
   * error is rethrown), so nothing is half-written. Statements must go through `tx`, not the
   * database. Transactions are serializable with respect to each other on SQLite (one at a
   * time) and run at READ COMMITTED on PostgreSQL, where writers conflicting on a row wait.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Waits for work in progress and closes the connection(s). */
  close(): Promise<void>;
}
