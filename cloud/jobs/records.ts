/** Jobs in the store (table `jobs`): the job as created, and its status as it progresses. */
import type { Queryable } from '../store/database.js';
import type { AbortConfig, JobStatus, RolloutConfig } from './schemas.js';

export interface JobRecord {
  jobId: string;
  document: Record<string, unknown>;
  description?: string;
  targets: string[];
  status: JobStatus;
  jobExecutionsRolloutConfig?: RolloutConfig;
  abortConfig?: AbortConfig;
  timeoutConfig?: { inProgressTimeoutInMinutes: number };
  reasonCode?: string;
  comment?: string;
  forceCanceled: boolean;
  createdAt: number;
  lastUpdatedAt: number;
  completedAt?: number;
}

interface Row {
  job_id: string;
  document: string;
  description: string | null;
  targets: string;
  status: string;
  rollout: string | null;
  abort_config: string | null;
  timeout_minutes: number | null;
  reason_code: string | null;
  comment: string | null;
  force_canceled: number;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

const toRecord = (r: Row): JobRecord => ({
  jobId: r.job_id,
  document: JSON.parse(r.document) as Record<string, unknown>,
  ...(r.description !== null && { description: r.description }),
  targets: JSON.parse(r.targets) as string[],
  status: r.status as JobStatus,
  ...(r.rollout !== null && { jobExecutionsRolloutConfig: JSON.parse(r.rollout) as RolloutConfig }),
  ...(r.abort_config !== null && { abortConfig: JSON.parse(r.abort_config) as AbortConfig }),
  ...(r.timeout_minutes !== null && { timeoutConfig: { inProgressTimeoutInMinutes: r.timeout_minutes } }),
  ...(r.reason_code !== null && { reasonCode: r.reason_code }),
  ...(r.comment !== null && { comment: r.comment }),
  forceCanceled: r.force_canceled === 1,
  createdAt: r.created_at,
  lastUpdatedAt: r.updated_at,
  ...(r.completed_at !== null && { completedAt: r.completed_at }),
});

export class JobRecords {
  constructor(private readonly db: Queryable) {}

  /** Inserts a new job; false if the id is taken. */
  async insert(j: JobRecord): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO jobs (job_id, document, description, targets, status, rollout, abort_config, timeout_minutes, reason_code, comment, force_canceled, created_at, updated_at, completed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING`,
      [
        j.jobId, JSON.stringify(j.document), j.description ?? null, JSON.stringify(j.targets), j.status,
        j.jobExecutionsRolloutConfig ? JSON.stringify(j.jobExecutionsRolloutConfig) : null, j.abortConfig ? JSON.stringify(j.abortConfig) : null,
        j.timeoutConfig?.inProgressTimeoutInMinutes ?? null, j.reasonCode ?? null, j.comment ?? null, j.forceCanceled ? 1 : 0, j.createdAt, j.lastUpdatedAt, j.completedAt ?? null,
      ],
    );
    return changes === 1;
  }

  async find(jobId: string): Promise<JobRecord | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM jobs WHERE job_id = ?', [jobId]);
    return row && toRecord(row);
  }

  async list(status?: JobStatus): Promise<JobRecord[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM jobs${status ? ' WHERE status = ?' : ''} ORDER BY created_at, job_id`, status ? [status] : []);
    return rows.map(toRecord);
  }

  /** Moves an IN_PROGRESS job to a final status; false if it already left IN_PROGRESS (someone else ended it). */
  async end(jobId: string, status: 'CANCELED' | 'COMPLETED', at: number, extra: { reasonCode?: string; comment?: string; forceCanceled?: boolean } = {}): Promise<boolean> {
    const { changes } = await this.db.run(
      "UPDATE jobs SET status = ?, updated_at = ?, completed_at = ?, reason_code = ?, comment = ?, force_canceled = ? WHERE job_id = ? AND status = 'IN_PROGRESS'",
      [status, at, at, extra.reasonCode ?? null, extra.comment ?? null, extra.forceCanceled ? 1 : 0, jobId],
    );
    return changes === 1;
  }
}
