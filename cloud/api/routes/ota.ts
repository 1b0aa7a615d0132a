/** OTA updates: app images uploaded as streams, OTA jobs over them, and each device's progress (cloud/ota/). */
import { z } from 'zod';
import { invalid } from '../../errors.js';
import { MAX_IMAGE_BYTES } from '../../ota/files.js';
import { createOtaJob } from '../../ota/service.js';
import { executionStatuses, jobId } from '../../jobs/schemas.js';
import { route } from '../route.js';
import { jobView } from './jobs.js';

const otaFile = z.object({
  streamId: z.string(), fileId: z.number().int(), size: z.number().int(), sha256: z.string().describe('64 lowercase hex digits'),
  version: z.string().optional(), description: z.string().optional(), createdAt: z.number().int().describe('epoch milliseconds'),
});

const progress = z.object({
  thingName: z.string(), status: z.enum(executionStatuses), step: z.string().optional().describe('downloading, rebooting, confirmed or failed'),
  received: z.number().int().optional(), size: z.number().int().optional(), percent: z.number().int().optional(), reason: z.string().optional(),
  lastUpdatedAt: z.number().int().describe('epoch milliseconds'),
});

export const otaRoutes = [
  route({
    operation: 'UploadOtaImage', method: 'POST', path: '/ota/images', tag: 'ota',
    summary: `Stores a built app image (at most ${MAX_IMAGE_BYTES} bytes) as a new stream devices download over MQTT.`,
    query: z.strictObject({ version: z.string().optional(), description: z.string().optional() }),
    rawBody: { limit: MAX_IMAGE_BYTES, contentTypes: ['application/octet-stream'], description: 'The image, as built (mote build).' },
    status: 201, response: otaFile,
    handle: ({ query, body }, { ota }) => {
      if (body === undefined) throw invalid('the body must hold the image');
      return ota.files.upload(body, query);
    },
  }),
  route({
    operation: 'ListOtaImages', method: 'GET', path: '/ota/images', tag: 'ota', summary: 'Uploaded images, oldest first.',
    response: z.object({ images: z.array(otaFile) }),
    handle: async (_input, { ota }) => ({ images: await ota.files.list() }),
  }),
  route({
    operation: 'DescribeOtaImage', method: 'GET', path: '/ota/images/{streamId}', tag: 'ota', summary: 'One image.',
    params: z.strictObject({ streamId: z.string().min(1).max(128) }), response: otaFile,
    handle: ({ params: p }, { ota }) => ota.files.describe(p.streamId),
  }),
  route({
    operation: 'CreateOtaJob', method: 'POST', path: '/ota/jobs', tag: 'ota',
    summary: 'Creates the job that updates the targets to an image (job document {operation: "ota", stream, fileId, size, sha256, version}).',
    body: createOtaJob, status: 201, response: jobView,
    handle: ({ body }, { ota }) => ota.createJob(body),
  }),
  route({
    operation: 'GetOtaProgress', method: 'GET', path: '/ota/jobs/{jobId}/progress', tag: 'ota', summary: 'Each targeted device\'s status, step and download progress.',
    params: z.strictObject({ jobId }), response: z.object({ devices: z.array(progress) }),
    handle: async ({ params: p }, { ota }) => ({ devices: await ota.progress(p.jobId) }),
  }),
];
