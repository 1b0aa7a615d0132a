/**
 * OTA updates: an uploaded image (files.ts) becomes a job whose document is what the device
 * SDK's OTA handler takes (sdk/ota/agent.ts: `{operation: 'ota', stream, fileId, size, sha256,
 * version?}`), and each device's progress is read from its execution's statusDetails, which
 * the handler keeps as `{step, received?, size?, reason?}`.
 */
import { z } from 'zod';
import { parseInput } from '../registry/parse.js';
import type { JobsService, JobView } from '../jobs/service.js';
import { abortConfig, jobId, jobTarget, rolloutConfig, timeoutConfig, type ExecutionStatus } from '../jobs/schemas.js';
import type { OtaFiles } from './files.js';

export const createOtaJob = z.strictObject({
  jobId,
  streamId: z.string().min(1).max(128),
  targets: z.array(jobTarget).min(1).max(100),
  description: z.string().max(2028).optional(),
  jobExecutionsRolloutConfig: rolloutConfig.optional(),
  abortConfig: abortConfig.optional(),
  timeoutConfig: timeoutConfig.optional(),
});

export interface DeviceProgress {
  thingName: string;
  status: ExecutionStatus;
  /** The handler's step: downloading, rebooting, confirmed, failed. */
  step?: string;
  received?: number;
  size?: number;
  /** Bytes received out of the image, 0-100, while or after downloading. */
  percent?: number;
  reason?: string;
  lastUpdatedAt: number;
}

export class OtaService {
  constructor(
    readonly files: OtaFiles,
    private readonly jobs: JobsService,
  ) {}

  /** Creates the job that updates the targets to the stream's image. */
  async createJob(input: unknown): Promise<JobView> {
    const { streamId, ...request } = parseInput(createOtaJob, input);
    const file = await this.files.describe(streamId);
    const document = { operation: 'ota', stream: file.streamId, fileId: file.fileId, size: file.size, sha256: file.sha256, ...(file.version !== undefined && { version: file.version }) };
    return this.jobs.create({ ...request, document });
  }

  /** Where each targeted device is. */
  async progress(jobId: string): Promise<DeviceProgress[]> {
    return (await this.jobs.executionsOf(jobId)).map((e) => {
      const details = e.statusDetails ?? {};
      const received = details.received !== undefined ? Number(details.received) : undefined;
      const size = details.size !== undefined ? Number(details.size) : undefined;
      const downloaded = e.status === 'SUCCEEDED' || details.step === 'rebooting' || details.step === 'confirmed';
      const percent = downloaded ? 100 : received !== undefined && size ? Math.floor((received * 100) / size) : undefined;
      return {
        thingName: e.thingName, status: e.status, ...(details.step !== undefined && { step: details.step }),
        ...(received !== undefined && Number.isFinite(received) && { received }), ...(size !== undefined && Number.isFinite(size) && { size }),
        ...(percent !== undefined && Number.isFinite(percent) && { percent }), ...(details.reason !== undefined && { reason: details.reason }),
        lastUpdatedAt: e.lastUpdatedAt,
      };
    });
  }
}
