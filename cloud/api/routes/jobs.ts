/** Jobs (AWS's CreateJob, DescribeJob, ListJobs, CancelJob, ListJobExecutionsForJob/ForThing), run by cloud/jobs/service.ts. */
import { z } from 'zod';
import { abortConfig, cancelExecution, cancelJob, createJob, executionStatuses, jobId, jobStatuses, rolloutConfig, timeoutConfig } from '../../jobs/schemas.js';
import { route } from '../route.js';
import { params } from '../schemas.js';

const epochMs = z.number().int().describe('epoch milliseconds');
const count = z.number().int();

export const jobView = z.object({
  jobId: z.string(), status: z.enum(jobStatuses), document: z.record(z.string(), z.unknown()), description: z.string().optional(),
  targets: z.array(z.string()), targetSelection: z.literal('SNAPSHOT'),
  jobExecutionsRolloutConfig: rolloutConfig.optional(), abortConfig: abortConfig.optional(), timeoutConfig: timeoutConfig.optional(),
  reasonCode: z.string().optional(), comment: z.string().optional(), forceCanceled: z.boolean(),
  createdAt: epochMs, lastUpdatedAt: epochMs, completedAt: epochMs.optional(),
  jobProcessDetails: z.object({
    numberOfQueuedThings: count, numberOfInProgressThings: count, numberOfSucceededThings: count, numberOfFailedThings: count,
    numberOfRejectedThings: count, numberOfCanceledThings: count, numberOfTimedOutThings: count, numberOfRemovedThings: count,
  }).describe('executions by status; those the rollout has not dispatched yet count as queued'),
});

const execution = z.object({
  jobId: z.string(), thingName: z.string(), status: z.enum(executionStatuses), statusDetails: z.record(z.string(), z.string()).optional(),
  executionNumber: z.number().int(), versionNumber: z.number().int(),
  queuedAt: epochMs.optional().describe('when the rollout dispatched it; absent until then'), startedAt: epochMs.optional(), lastUpdatedAt: epochMs,
});

const jobParams = z.strictObject({ jobId });

export const jobRoutes = [
  route({
    operation: 'ListJobs', method: 'GET', path: '/jobs', tag: 'jobs', summary: 'All jobs, oldest first, optionally of one status.',
    query: z.strictObject({ status: z.enum(jobStatuses).optional() }),
    response: z.object({ jobs: z.array(jobView) }),
    handle: async ({ query }, { jobs }) => ({ jobs: await jobs.list(query.status) }),
  }),
  route({
    operation: 'CreateJob', method: 'POST', path: '/jobs', tag: 'jobs',
    summary: 'Creates a job for things and thing groups (the groups\' members and their descendants\' at this moment), with optional rollout, abort criteria and in-progress timeout.',
    body: createJob, status: 201, response: jobView,
    handle: ({ body }, { jobs }) => jobs.create(body),
  }),
  route({
    operation: 'DescribeJob', method: 'GET', path: '/jobs/{jobId}', tag: 'jobs', summary: 'One job, with its executions counted by status.',
    params: jobParams, response: jobView,
    handle: ({ params: p }, { jobs }) => jobs.describe(p.jobId),
  }),
  route({
    operation: 'CancelJob', method: 'POST', path: '/jobs/{jobId}/cancel', tag: 'jobs',
    summary: 'Cancels a job in progress: its queued executions become CANCELED, and those IN_PROGRESS too with force.',
    params: jobParams, body: cancelJob.optional(), response: jobView,
    handle: ({ params: p, body }, { jobs }) => jobs.cancel(p.jobId, body ?? {}),
  }),
  route({
    operation: 'ListJobExecutionsForJob', method: 'GET', path: '/jobs/{jobId}/things', tag: 'jobs', summary: 'The job\'s executions, by thing name, optionally of one status.',
    params: jobParams, query: z.strictObject({ status: z.enum(executionStatuses).optional() }),
    response: z.object({ executions: z.array(execution) }),
    handle: async ({ params: p, query }, { jobs }) => ({ executions: await jobs.executionsOf(p.jobId, query.status) }),
  }),
  route({
    operation: 'CancelJobExecution', method: 'POST', path: '/things/{thingName}/jobs/{jobId}/cancel', tag: 'jobs',
    summary: 'Cancels one thing\'s execution: a queued one, or one IN_PROGRESS with force; expectedVersion must match when given (409 otherwise).',
    params: z.strictObject({ thingName: params.thing.shape.thingName, jobId }), body: cancelExecution.optional(), response: execution,
    handle: ({ params: p, body }, { jobs }) => jobs.cancelExecution(p.jobId, p.thingName, body ?? {}),
  }),
  route({
    operation: 'ListJobExecutionsForThing', method: 'GET', path: '/things/{thingName}/jobs', tag: 'jobs', summary: 'A thing\'s executions, most recently changed first.',
    params: params.thing, response: z.object({ executions: z.array(execution) }),
    handle: async ({ params: p }, { jobs }) => ({ executions: await jobs.executionsOfThing(p.thingName) }),
  }),
];
