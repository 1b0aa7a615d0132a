// The jobs and OTA operations of the HTTP API over loopback HTTP (fetch), each answer checked
// against its route's schema (the OpenAPI document is generated from the same ones).
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { apiRoutes } from '../api/server.js';
import { apiError } from '../api/schemas.js';
import { startCloud, type Cloud } from '../cloud.js';
import { MAX_IMAGE_BYTES } from '../ota/files.js';

const clouds: Cloud[] = [];
afterEach(async () => {
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

async function api() {
  const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: 0 });
  clouds.push(cloud);
  return async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${cloud.newAdminToken!}` } };
    if (body !== undefined) {
      init.body = Buffer.isBuffer(body) ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = contentType;
    }
    const response = await fetch(cloud.api!.url + path, init);
    const text = await response.text();
    const answer = { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    const bare = path.split('?')[0]!;
    const route = apiRoutes.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare))!;
    if (answer.status < 300) route.response?.parse(answer.body);
    else apiError.parse(answer.body);
    return answer;
  };
}

describe('jobs and OTA over the HTTP API', () => {
  it('creates, lists, describes and cancels jobs; lists executions by job and by thing; refuses bad input precisely', async () => {
    const call = await api();
    for (const thingName of ['lamp', 'fan']) expect((await call('POST', '/things', { thingName })).status).toBe(201);
    await call('POST', '/thing-groups', { groupName: 'hall' });
    await call('PUT', '/thing-groups/hall/things/fan');
    const created = await call('POST', '/jobs', { jobId: 'j1', targets: ['thing/lamp', 'thinggroup/hall'], document: { operation: 'blink' }, jobExecutionsRolloutConfig: { maximumPerMinute: 1 } });
    expect(created).toMatchObject({ status: 201, body: { jobId: 'j1', status: 'IN_PROGRESS', jobProcessDetails: { numberOfQueuedThings: 2 } } });
    expect((await call('GET', '/jobs')).body.jobs.map((j: { jobId: string }) => j.jobId)).toEqual(['j1']);
    expect((await call('GET', '/jobs?status=COMPLETED')).body.jobs).toEqual([]);
    const executions = (await call('GET', '/jobs/j1/things')).body.executions;
    expect(executions.map((e: { thingName: string; queuedAt?: number }) => [e.thingName, e.queuedAt !== undefined])).toEqual([['fan', true], ['lamp', false]]); // one per minute
    expect((await call('GET', '/things/fan/jobs')).body.executions).toMatchObject([{ jobId: 'j1', status: 'QUEUED', versionNumber: 1 }]);
    expect((await call('POST', '/things/fan/jobs/j1/cancel', { expectedVersion: 7 }))).toMatchObject({ status: 409, body: { error: 'VersionConflictException' } });
    expect((await call('POST', '/things/fan/jobs/j1/cancel')).body).toMatchObject({ thingName: 'fan', status: 'CANCELED', versionNumber: 2 });
    expect((await call('POST', '/jobs/j1/cancel', { comment: 'not now' })).body).toMatchObject({ status: 'CANCELED', comment: 'not now', jobProcessDetails: { numberOfCanceledThings: 2 } });
    expect((await call('GET', '/jobs/j1/things?status=CANCELED')).body.executions).toHaveLength(2);
    expect(await call('POST', '/jobs/j1/cancel')).toMatchObject({ status: 400, body: { message: 'job j1 is CANCELED; only a job IN_PROGRESS can be canceled' } });

    expect(await call('GET', '/jobs/nope')).toMatchObject({ status: 404, body: { error: 'ResourceNotFoundException', message: 'job nope does not exist' } });
    expect(await call('POST', '/jobs', { jobId: 'j1', targets: ['thing/lamp'], document: {} })).toMatchObject({ status: 409 });
    const bad = await call('POST', '/jobs', { jobId: 'bad id', targets: [], document: { big: 'x'.repeat(33 * 1024) }, jobExecutionsRolloutConfig: { maximumPerMinute: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.document', 'body.jobExecutionsRolloutConfig.maximumPerMinute', 'body.jobId', 'body.targets']);
    expect(await call('GET', '/jobs?status=DONE')).toMatchObject({ status: 400, body: { issues: [{ path: 'query.status' }] } });
    expect((await call('GET', '/jobs')).body.jobs).toHaveLength(1); // nothing written by the refusals
  });

  it('uploads an image, creates an OTA job over it and reports progress; refuses a missing or oversized image', async () => {
    const call = await api();
    await call('POST', '/things', { thingName: 'lamp' });
    const image = randomBytes(5000);
    const uploaded = await call('POST', '/ota/images?version=1.2.3&description=nightly', image, 'application/octet-stream');
    expect(uploaded).toMatchObject({ status: 201, body: { fileId: 0, size: 5000, version: '1.2.3', description: 'nightly' } });
    const { streamId, sha256 } = uploaded.body;
    expect((await call('GET', '/ota/images')).body.images).toEqual([uploaded.body]);
    expect((await call('GET', `/ota/images/${streamId}`)).body).toEqual(uploaded.body);
    const job = await call('POST', '/ota/jobs', { jobId: 'fw-123', streamId, targets: ['thing/lamp'] });
    expect(job).toMatchObject({ status: 201, body: { document: { operation: 'ota', stream: streamId, fileId: 0, size: 5000, sha256, version: '1.2.3' } } });
    expect((await call('GET', '/ota/jobs/fw-123/progress')).body).toEqual({ devices: [{ thingName: 'lamp', status: 'QUEUED', lastUpdatedAt: expect.any(Number) }] });

    expect(await call('POST', '/ota/images', Buffer.alloc(MAX_IMAGE_BYTES + 1), 'application/octet-stream')).toMatchObject({ status: 413 });
    expect(await call('POST', '/ota/images', Buffer.from('x'), 'text/plain')).toMatchObject({ status: 415 });
    expect(await call('POST', '/ota/images?version=a%20b', Buffer.from('x'), 'application/octet-stream')).toMatchObject({ status: 400 });
    expect(await call('POST', '/ota/jobs', { jobId: 'fw-2', streamId: 'ota-nope', targets: ['thing/lamp'] })).toMatchObject({ status: 404 });
    expect(await call('GET', '/ota/images/ota-nope')).toMatchObject({ status: 404 });
    expect((await call('GET', '/ota/images')).body.images).toHaveLength(1);
  });
});
