/**
 * Job executions in the store (table `job_executions`), and how the device API shows them.
 *
 * An execution's `versionNumber` starts at 1 and grows by one with every change; each write
 * names the version it read (optimistic), so two writers (a device's update and the service's
 * cancel or timeout, possibly in two processes on one PostgreSQL) never overwrite each other:
 * the loser reads again or, when the device named `expectedVersion`, is told VersionMismatch.
 */
import type { Queryable } from '../store/database.js';
import type { ExecutionStatus } from './schemas.js';

export type StatusDetails = Record<string, string>;

export interface Execution {
  jobId: string;
  thingName: string;
  executionNumber: number;
  status: ExecutionStatus;
  statusDetails?: StatusDetails;
  versionNumber: number;
  /** Epoch ms when the rollout dispatched it to the thing; absent until then (the device does not see it). */
  queuedAt?: number;
  startedAt?: number;
  lastUpdatedAt: number;
  /** Epoch ms when an IN_PROGRESS execution times out (the job's in-progress timeout). */
  deadline?: number;
  /** Epoch ms when the current step times out (stepTimeoutInMinutes of start-next or update). */
  stepDeadline?: number;
}

interface Row {
  job_id: string;
  thing_name: string;
  execution_number: number;
  status: string;
  status_details: string | null;
  version: number;
  dispatched_at: number | null;
  started_at: number | null;
  last_updated_at: number;
  deadline: number | null;
  step_deadline: number | null;
}

const toExecution = (r: Row): Execution => ({
  jobId: r.job_id,
  thingName: r.thing_name,
  executionNumber: r.execution_number,
  status: r.status as ExecutionStatus,
  ...(r.status_details !== null && { statusDetails: JSON.parse(r.status_details) as StatusDetails }),
  versionNumber: r.version,
  ...(r.dispatched_at !== null && { queuedAt: r.dispatched_at }),
  ...(r.started_at !== null && { startedAt: r.started_at }),
  lastUpdatedAt: r.last_updated_at,
  ...(r.deadline !== null && { deadline: r.deadline }),
  ...(r.step_deadline !== null && { stepDeadline: r.step_deadline }),
});

const COLUMNS = 'job_id, thing_name, execution_number, status, status_details, version, dispatched_at, started_at, last_updated_at, deadline, step_deadline';

/** Reads and writes executions through `db` (a Database, or a transaction's session). */
export class Executions {
  constructor(private readonly db: Queryable) {}

  async insert(e: Execution): Promise<void> {
    await this.db.run(`INSERT INTO job_executions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      e.jobId, e.thingName, e.executionNumber, e.status, e.statusDetails ? JSON.stringify(e.statusDetails) : null, e.versionNumber,
      e.queuedAt ?? null, e.startedAt ?? null, e.lastUpdatedAt, e.deadline ?? null, e.stepDeadline ?? null,
    ]);
  }

  async find(jobId: string, thingName: string): Promise<Execution | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM job_executions WHERE job_id = ? AND thing_name = ?`, [jobId, thingName]);
    return row && toExecution(row);
  }

  /** A thing's dispatched QUEUED and IN_PROGRESS executions: IN_PROGRESS first, then the oldest queued. */
  async pending(thingName: string): Promise<Execution[]> {
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM job_executions WHERE thing_name = ? AND status IN ('QUEUED', 'IN_PROGRESS') AND dispatched_at IS NOT NULL
       ORDER BY CASE status WHEN 'IN_PROGRESS' THEN 0 ELSE 1 END, dispatched_at, job_id`,
      [thingName],
    );
    return rows.map(toExecution);
  }

  async ofJob(jobId: string, status?: ExecutionStatus): Promise<Execution[]> {
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM job_executions WHERE job_id = ?${status ? ' AND status = ?' : ''} ORDER BY thing_name`,
      status ? [jobId, status] : [jobId],
    );
    return rows.map(toExecution);
  }

  async ofThing(thingName: string): Promise<Execution[]> {
    return (await this.db.all<Row>(`SELECT ${COLUMNS} FROM job_executions WHERE thing_name = ? ORDER BY last_updated_at DESC, job_id`, [thingName])).map(toExecution);
  }

  /** IN_PROGRESS executions whose deadline or step deadline is at or before `now`. */
  async overdue(now: number): Promise<Execution[]> {
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM job_executions WHERE status = 'IN_PROGRESS' AND (deadline <= ? OR step_deadline <= ?)`,
      [now, now],
    );
    return rows.map(toExecution);
  }

  /** Executions of the job the rollout has not dispatched yet, at most `limit`, by thing name. */
  async undispatched(jobId: string, limit: number): Promise<Execution[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM job_executions WHERE job_id = ? AND dispatched_at IS NULL AND status = 'QUEUED' ORDER BY thing_name LIMIT ?`, [jobId, limit]);
    return rows.map(toExecution);
  }

  /** How many of the job's executions were dispatched after `since` (epoch ms), and in all. */
  async dispatchedSince(jobId: string, since: number): Promise<{ recent: number; total: number }> {
    const row = await this.db.get<{ recent: number | null; total: number }>(
      'SELECT SUM(CASE WHEN dispatched_at > ? THEN 1 ELSE 0 END) AS recent, COUNT(dispatched_at) AS total FROM job_executions WHERE job_id = ?',
      [since, jobId],
    );
    return { recent: row?.recent ?? 0, total: row?.total ?? 0 };
  }

  /** Makes a queued execution visible to its thing; false if it was already dispatched or is no longer queued. */
  async dispatch(e: Execution, at: number): Promise<boolean> {
    const { changes } = await this.db.run(
      "UPDATE job_executions SET dispatched_at = ?, last_updated_at = ? WHERE job_id = ? AND thing_name = ? AND dispatched_at IS NULL AND status = 'QUEUED'",
      [at, at, e.jobId, e.thingName],
    );
    return changes === 1;
  }

  /** The job's executions counted by status (executions not dispatched yet count as QUEUED). */
  async countByStatus(jobId: string): Promise<Partial<Record<ExecutionStatus, number>>> {
    const rows = await this.db.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM job_executions WHERE job_id = ? GROUP BY status', [jobId]);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Writes `next` (version = read version + 1) if the row is still at `read`'s version; false if another writer got there first. */
  async replace(read: Execution, next: Execution): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE job_executions SET status = ?, status_details = ?, version = ?, dispatched_at = ?, started_at = ?, last_updated_at = ?, deadline = ?, step_deadline = ?
       WHERE job_id = ? AND thing_name = ? AND version = ?`,
      [
        next.status, next.statusDetails ? JSON.stringify(next.statusDetails) : null, next.versionNumber, next.queuedAt ?? null,
        next.startedAt ?? null, next.lastUpdatedAt, next.deadline ?? null, next.stepDeadline ?? null, read.jobId, read.thingName, read.versionNumber,
      ],
    );
    return changes === 1;
  }
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** JobExecutionSummary as the device API shows it (times in epoch seconds). */
export function summaryOf(e: Execution) {
  return {
    jobId: e.jobId,
    queuedAt: seconds(e.queuedAt ?? e.lastUpdatedAt),
    ...(e.startedAt !== undefined && { startedAt: seconds(e.startedAt) }),
    lastUpdatedAt: seconds(e.lastUpdatedAt),
    versionNumber: e.versionNumber,
    executionNumber: e.executionNumber,
  };
}

/** JobExecution as the device API shows it; `jobDocument` when given. */
export function deviceExecutionOf(e: Execution, jobDocument?: object) {
  const { jobId, ...times } = summaryOf(e);
  return {
    jobId,
    thingName: e.thingName,
    ...(jobDocument !== undefined && { jobDocument }),
    status: e.status,
    ...(e.statusDetails && { statusDetails: e.statusDetails }),
    ...times,
  };
}

/** JobExecutionState: what update answers and refusals carry. */
export const executionStateOf = (e: Execution) => ({ status: e.status, ...(e.statusDetails && { statusDetails: e.statusDetails }), versionNumber: e.versionNumber });
