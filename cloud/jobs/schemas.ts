/**
 * What a job is made of, as zod schemas with AWS IoT's names and limits (CreateJob): its
 * targets, document, rollout, abort criteria and timeout. The service and the HTTP API validate
 * with the same ones.
 */
import { z } from 'zod';

export const jobId = z.string().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/, "job ids may only hold letters, digits, '_' and '-'");

/** A target: `thing/<name>` or `thinggroup/<name>`, optionally after an ARN prefix `arn:aws:iot:<region>:<account>:`. */
export const jobTarget = z
  .string()
  .regex(/^(arn:[^:]*:iot:[^:]*:[^:]*:)?(thing|thinggroup)\/[a-zA-Z0-9:_-]{1,128}$/, 'a target is thing/<thing name> or thinggroup/<group name> (optionally ARN-prefixed)');

/** AWS's limit on a job document. */
export const MAX_DOCUMENT_BYTES = 32 * 1024;

export const jobDocument = z
  .record(z.string(), z.unknown())
  .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= MAX_DOCUMENT_BYTES, `the job document is larger than ${MAX_DOCUMENT_BYTES} bytes`);

export const rolloutConfig = z.strictObject({
  /** Executions dispatched per minute at most. */
  maximumPerMinute: z.number().int().min(1).max(1000),
  /** Starts at baseRatePerMinute and multiplies by incrementFactor each time the criterion's count is reached again. */
  exponentialRate: z
    .strictObject({
      baseRatePerMinute: z.number().int().min(1).max(1000),
      incrementFactor: z.number().min(1.1).max(5),
      rateIncreaseCriteria: z.union([
        z.strictObject({ numberOfNotifiedThings: z.number().int().min(1) }),
        z.strictObject({ numberOfSucceededThings: z.number().int().min(1) }),
      ]),
    })
    .optional(),
});
export type RolloutConfig = z.infer<typeof rolloutConfig>;

export const failureTypes = ['FAILED', 'REJECTED', 'TIMED_OUT', 'ALL'] as const;
export const abortConfig = z.strictObject({
  criteriaList: z
    .array(
      z.strictObject({
        failureType: z.enum(failureTypes),
        action: z.literal('CANCEL'),
        /** Abort once failures of this type are at least this share of the executions that ended. */
        thresholdPercentage: z.number().min(0).max(100),
        /** ...and at least this many executions ended. */
        minNumberOfExecutedThings: z.number().int().min(1),
      }),
    )
    .min(1),
});
export type AbortConfig = z.infer<typeof abortConfig>;

export const timeoutConfig = z.strictObject({ inProgressTimeoutInMinutes: z.number().int().min(1).max(10080) });

export const createJob = z.strictObject({
  jobId,
  targets: z.array(jobTarget).min(1).max(100),
  document: jobDocument,
  description: z.string().max(2028).optional(),
  targetSelection: z.literal('SNAPSHOT', { message: "targetSelection: only 'SNAPSHOT' is supported (continuous jobs are not)" }).optional(),
  jobExecutionsRolloutConfig: rolloutConfig.optional(),
  abortConfig: abortConfig.optional(),
  timeoutConfig: timeoutConfig.optional(),
});
export type CreateJob = z.infer<typeof createJob>;

export const cancelJob = z.strictObject({
  reasonCode: z.string().max(128).regex(/^[A-Z0-9_]+$/, 'reasonCode is upper-case letters, digits and _').optional(),
  comment: z.string().max(2028).optional(),
  /** Also cancel executions already IN_PROGRESS (AWS's force). */
  force: z.boolean().optional(),
});
export type CancelJob = z.infer<typeof cancelJob>;

export const cancelExecution = z.strictObject({
  /** Also cancel an execution IN_PROGRESS. */
  force: z.boolean().optional(),
  /** The execution's versionNumber the caller last saw: refused (409) if it moved. */
  expectedVersion: z.number().int().min(1).optional(),
  statusDetails: z.record(z.string().regex(/^[a-zA-Z0-9:_-]{1,128}$/, "statusDetails keys are 1-128 letters, digits, ':', '_' or '-'"), z.string().min(1).max(1024)).optional(),
});

export const jobStatuses = ['IN_PROGRESS', 'CANCELED', 'COMPLETED'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const executionStatuses = ['QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'REMOVED', 'CANCELED'] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];
/** Statuses a device may set. */
export const deviceStatuses: readonly ExecutionStatus[] = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'];
export const isPending = (status: ExecutionStatus) => status === 'QUEUED' || status === 'IN_PROGRESS';
