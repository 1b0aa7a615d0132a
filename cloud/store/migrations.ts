/**
 * The cloud's schema, as numbered migrations applied in order, each in its own transaction, and
 * recorded in `schema_migrations`. Services that arrive later append migrations; an applied
 * migration is never edited.
 *
 * Portable DDL: `{serial}` stands for an auto-numbered primary key, `{without rowid}` for SQLite's
 * clustered tables. Numbers that hold epoch
 * milliseconds are BIGINT. JSON documents are TEXT.
 */
import type { Database } from './database.js';

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'registry, policies, shadows, connectivity, telemetry',
    statements: [
      `CREATE TABLE thing_types (
        name TEXT PRIMARY KEY, description TEXT, searchable_attributes TEXT NOT NULL,
        deprecated INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL)`,
      `CREATE TABLE things (
        name TEXT PRIMARY KEY, thing_type TEXT REFERENCES thing_types(name), attributes TEXT NOT NULL,
        version INTEGER NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE thing_groups (
        name TEXT PRIMARY KEY, parent TEXT REFERENCES thing_groups(name), description TEXT,
        attributes TEXT NOT NULL, created_at BIGINT NOT NULL)`,
      `CREATE TABLE thing_group_members (
        group_name TEXT NOT NULL REFERENCES thing_groups(name) ON DELETE CASCADE,
        thing_name TEXT NOT NULL REFERENCES things(name) ON DELETE CASCADE,
        PRIMARY KEY (group_name, thing_name))`,
      `CREATE TABLE certificates (
        id TEXT PRIMARY KEY, pem TEXT NOT NULL, status TEXT NOT NULL,
        created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE device_tokens (
        id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL)`,
      `CREATE TABLE thing_principals (
        thing_name TEXT NOT NULL REFERENCES things(name) ON DELETE CASCADE, principal TEXT NOT NULL,
        PRIMARY KEY (thing_name, principal))`,
      `CREATE TABLE policies (
        name TEXT PRIMARY KEY, document TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE policy_targets (
        policy_name TEXT NOT NULL REFERENCES policies(name) ON DELETE CASCADE, target TEXT NOT NULL,
        PRIMARY KEY (policy_name, target))`,
      `CREATE TABLE shadows (
        thing_name TEXT NOT NULL, shadow_name TEXT NOT NULL, document TEXT, version INTEGER NOT NULL,
        updated_at BIGINT NOT NULL, PRIMARY KEY (thing_name, shadow_name))`,
      `CREATE TABLE connectivity (
        client_id TEXT PRIMARY KEY, thing_name TEXT, session_id TEXT NOT NULL, connected INTEGER NOT NULL, changed_at BIGINT NOT NULL,
        disconnect_reason TEXT)`,
      `CREATE TABLE telemetry (
        id {serial}, topic TEXT NOT NULL, client_id TEXT, thing_name TEXT, received_at BIGINT NOT NULL,
        payload TEXT NOT NULL)`,
      `CREATE INDEX telemetry_by_thing ON telemetry (thing_name, received_at)`,
      `CREATE INDEX telemetry_by_topic ON telemetry (topic, received_at)`,
    ],
  },
  {
    version: 2,
    name: 'HTTP API admin token',
    // One row (slot 1): creating it is an insert that only the first starting process wins.
    statements: [`CREATE TABLE admin_token (slot INTEGER PRIMARY KEY, secret_hash TEXT NOT NULL, created_at BIGINT NOT NULL)`],
  },
  {
    version: 3,
    name: 'certificate authority',
    // One row (slot 1), as the admin token: every cloud process on the store signs with the same CA.
    statements: [`CREATE TABLE certificate_authority (slot INTEGER PRIMARY KEY, key_pem TEXT NOT NULL, certificate_pem TEXT NOT NULL, created_at BIGINT NOT NULL)`],
  },
  {
    version: 4,
    name: 'fleet provisioning',
    statements: [
      `CREATE TABLE provisioning_templates (
        name TEXT PRIMARY KEY, description TEXT, body TEXT NOT NULL, enabled INTEGER NOT NULL,
        created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
      // Only the token's SHA-256 is kept; a token is used once (its row deleted) or expires.
      `CREATE TABLE ownership_tokens (
        token_hash TEXT PRIMARY KEY, certificate_id TEXT NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
        expires_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 5,
    name: 'topic rules',
    // actions and error_action are JSON text, as the API takes them (cloud/rules/rule.ts).
    statements: [
      `CREATE TABLE topic_rules (
        name TEXT PRIMARY KEY, sql TEXT NOT NULL, description TEXT, actions TEXT NOT NULL, error_action TEXT,
        enabled INTEGER NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 6,
    name: 'telemetry time series',
    // One row per point, keyed (and on SQLite clustered) by thing, measure and time, so a range
    // of one series is one contiguous index scan; a second point at the same time replaces the
    // first. `value` holds numbers (booleans as 1/0), `text` strings (booleans as 'true'/'false').
    // Series are listed once each so retention can delete by key range without a full scan.
    statements: [
      `CREATE TABLE telemetry_points (
        thing_name TEXT NOT NULL, measure TEXT NOT NULL, ts BIGINT NOT NULL, value DOUBLE PRECISION, text TEXT,
        PRIMARY KEY (thing_name, measure, ts)){without rowid}`,
      `CREATE TABLE telemetry_series (thing_name TEXT NOT NULL, measure TEXT NOT NULL, PRIMARY KEY (thing_name, measure))`,
      // scope: a thing name, or '*' (not a valid thing name) for the global limit.
      `CREATE TABLE telemetry_retention (scope TEXT PRIMARY KEY, max_age_ms BIGINT NOT NULL)`,
      `CREATE INDEX telemetry_by_received_at ON telemetry (received_at)`,
    ],
  },
  {
    version: 7,
    name: 'jobs and OTA files',
    // Configurations and documents are JSON text (cloud/jobs/schemas.ts). An execution the rollout
    // has not reached has dispatched_at NULL: the device does not see it yet. Times are epoch ms.
    // An OTA file's bytes are base64 text: portable, and app images are at most a few MB.
    statements: [
      `CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY, document TEXT NOT NULL, description TEXT, targets TEXT NOT NULL, status TEXT NOT NULL,
        rollout TEXT, abort_config TEXT, timeout_minutes INTEGER, reason_code TEXT, comment TEXT,
        force_canceled INTEGER NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, completed_at BIGINT)`,
      `CREATE TABLE job_executions (
        job_id TEXT NOT NULL REFERENCES jobs(job_id) ON DELETE CASCADE, thing_name TEXT NOT NULL,
        execution_number INTEGER NOT NULL, status TEXT NOT NULL, status_details TEXT, version INTEGER NOT NULL,
        dispatched_at BIGINT, started_at BIGINT, last_updated_at BIGINT NOT NULL, deadline BIGINT, step_deadline BIGINT,
        PRIMARY KEY (job_id, thing_name))`,
      `CREATE INDEX job_executions_by_thing ON job_executions (thing_name, status)`,
      `CREATE TABLE ota_files (
        stream_id TEXT PRIMARY KEY, file_id INTEGER NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
        version TEXT, description TEXT, data TEXT NOT NULL, created_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 8,
    name: 'Device Defender detect',
    // The security profile's behaviours are one JSON list (slot 1), replaced whole. A violation
    // keeps the behaviour as it was when raised (JSON); a thing has at most one active violation
    // per behaviour, which the partial unique index enforces.
    statements: [
      `CREATE TABLE defender_profile (slot INTEGER PRIMARY KEY, behaviors TEXT NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE defender_violations (
        id TEXT PRIMARY KEY, thing_name TEXT NOT NULL, behavior TEXT NOT NULL, metric TEXT NOT NULL,
        value DOUBLE PRECISION NOT NULL, threshold TEXT NOT NULL, state TEXT NOT NULL, definition TEXT NOT NULL,
        started_at BIGINT NOT NULL, cleared_at BIGINT)`,
      `CREATE UNIQUE INDEX defender_violations_active ON defender_violations (thing_name, behavior) WHERE state = 'active'`,
      `CREATE INDEX defender_violations_by_start ON defender_violations (started_at)`,
    ],
  },
  {
    version: 9,
    name: 'event detectors and alarms',
    // Models are JSON text as the API takes them (cloud/events/model.ts). A detector's variables
    // and timers are JSON text; timers hold their epoch-ms deadlines so they resume after a
    // restart. An alarm's version makes concurrent changes (a detector raising, an operator
    // acknowledging) optimistic; every change is also appended to its history.
    statements: [
      `CREATE TABLE event_detector_models (
        name TEXT PRIMARY KEY, body TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE event_detectors (
        model TEXT NOT NULL REFERENCES event_detector_models(name) ON DELETE CASCADE, key_value TEXT NOT NULL,
        state TEXT NOT NULL, variables TEXT NOT NULL, timers TEXT NOT NULL, updated_at BIGINT NOT NULL,
        PRIMARY KEY (model, key_value))`,
      `CREATE TABLE event_alarms (
        model TEXT NOT NULL REFERENCES event_detector_models(name) ON DELETE CASCADE, key_value TEXT NOT NULL, name TEXT NOT NULL,
        state TEXT NOT NULL, severity BIGINT NOT NULL, message TEXT NOT NULL, note TEXT, version INTEGER NOT NULL,
        updated_at BIGINT NOT NULL, PRIMARY KEY (model, key_value, name))`,
      `CREATE TABLE event_alarm_history (
        id {serial}, model TEXT NOT NULL REFERENCES event_detector_models(name) ON DELETE CASCADE, key_value TEXT NOT NULL,
        name TEXT NOT NULL, state TEXT NOT NULL, severity BIGINT NOT NULL, message TEXT NOT NULL, note TEXT, at BIGINT NOT NULL)`,
      `CREATE INDEX event_alarm_history_by_alarm ON event_alarm_history (model, key_value, name, id)`,
    ],
  },
];

const serial = { sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT', postgres: 'BIGSERIAL PRIMARY KEY' } as const;
/** `{without rowid}` after a table with a primary key: SQLite then stores rows in key order. */
const withoutRowid = { sqlite: ' WITHOUT ROWID', postgres: '' } as const;

/** Applies the migrations `db` lacks; returns the versions applied. Safe to run from several processes at once. */
export async function migrate(db: Database, list: readonly Migration[] = migrations): Promise<number[]> {
  await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  const applied: number[] = [];
  for (const migration of list) {
    const done = await db.transaction(async (tx) => {
      // Two cloud processes starting together against one PostgreSQL: the second waits here.
      if (db.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(7071) AS locked');
      if (await tx.get('SELECT version FROM schema_migrations WHERE version = ?', [migration.version])) return false;
      for (const statement of migration.statements) await tx.run(statement.replace('{serial}', serial[db.dialect]).replace('{without rowid}', withoutRowid[db.dialect]));
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, Date.now()]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
