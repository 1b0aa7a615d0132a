// The HTTP API over real loopback HTTP (fetch) on a cloud with an in-memory store: every 2xx
// answer is checked against the schema the OpenAPI document gives for it, and every refusal
// against the error schema, and after each refused request the registry is checked unchanged.
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../cloud.js';
import { inbox, mqttClients } from '../testing/mqtt-client.js';
import { apiRoutes, JSON_BODY_LIMIT } from './server.js';
import { apiError } from './schemas.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
}

/** The route serving `method path`, to check answers against its schemas. */
function routeOf(method: string, path: string) {
  const bare = path.split('?')[0]!;
  return apiRoutes.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare));
}

async function api(options: { mqttsPort?: number } = {}) {
  const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: options.mqttsPort ?? null, httpPort: 0 });
  clouds.push(cloud);
  let token = cloud.newAdminToken!;
  const url = cloud.api!.url;
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await fetch(url + path, init);
    const text = await response.text();
    const answer = { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    // Answers must match what the OpenAPI document says.
    if (path !== '/openapi.json' && response.status !== 401) {
      const route = routeOf(method, path);
      if (answer.status < 300) {
        if (route!.response) route!.response.parse(answer.body);
        else expect(answer.body).toBeUndefined();
      } else {
        (route?.errorResponse ?? apiError).parse(answer.body);
      }
    }
    return answer;
  }
  return { cloud, url, call, useToken: (t: string) => void (token = t) };
}

const names = async (call: (m: string, p: string) => Promise<Answer>) => ((await call('GET', '/things')).body.things as { thingName: string }[]).map((t) => t.thingName);

describe('HTTP API', () => {
  it('serves an OpenAPI 3.1 document generated from the schemas, without a token', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema?: Record<string, unknown> }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of apiRoutes) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.operationId).toBe(route.operation);
      // Every {placeholder} of the path is a declared path parameter.
      const placeholders = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(operation!.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(placeholders);
    }
    const createThing = doc.paths['/things']!.post!.requestBody!.content['application/json']!.schema!;
    expect(createThing).toMatchObject({ type: 'object', required: ['thingName'], additionalProperties: false, properties: { thingName: { maxLength: 128, pattern: '^[a-zA-Z0-9:_-]+$' } } });
    expect(doc.paths['/things/{thingName}/shadow']!.get!.parameters).toContainEqual(expect.objectContaining({ name: 'name', in: 'query', required: false }));
  });

  it('needs the admin token, created once and stored hashed; rotation retires the old one', async () => {
    const { cloud, url, call, useToken } = await api();
    const first = cloud.newAdminToken!;
    expect(first).toMatch(/^mote-admin\.[\w-]{43}$/);
    expect(await cloud.adminToken.ensure()).toBeUndefined(); // a second start creates none
    const stored = await cloud.db.get<{ secret_hash: string }>('SELECT secret_hash FROM admin_token');
    expect(stored!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(first.split('.')[1]);

    expect((await fetch(`${url}/things`)).status).toBe(401);
    const wrong = await fetch(`${url}/things`, { headers: { authorization: `Bearer ${first}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'UnauthorizedException' });
    expect((await call('GET', '/things')).status).toBe(200);

    const second = await cloud.adminToken.rotate();
    expect((await call('GET', '/things')).status).toBe(401);
    useToken(second);
    expect((await call('GET', '/things')).status).toBe(200);
    // Unauthenticated requests learn nothing, not even which routes exist.
    expect((await fetch(`${url}/no-such-route`)).status).toBe(401);
  });

  it('creates, describes, updates, lists and deletes things, types and groups', async () => {
    const { call } = await api();
    expect(await call('POST', '/thing-types', { thingTypeName: 'lamp', searchableAttributes: ['room'] })).toMatchObject({ status: 201, body: { thingTypeName: 'lamp', deprecated: false } });
    expect(await call('POST', '/things', { thingName: 'lamp-1', thingTypeName: 'lamp', attributes: { room: 'hall' } })).toMatchObject({ status: 201, body: { thingName: 'lamp-1', version: 1 } });
    await call('POST', '/things', { thingName: 'lamp-2', attributes: { room: 'attic' } });
    expect(await call('POST', '/things', { thingName: 'lamp-1' })).toMatchObject({ status: 409, body: { error: 'ResourceAlreadyExistsException', message: 'thing lamp-1 already exists' } });
    expect((await call('GET', '/things/lamp-1')).body).toMatchObject({ thingTypeName: 'lamp', attributes: { room: 'hall' } });
    expect((await call('GET', '/things?attributeName=room&attributeValue=attic')).body.things.map((t: { thingName: string }) => t.thingName)).toEqual(['lamp-2']);
    expect((await call('GET', '/things?thingTypeName=lamp')).body.things).toHaveLength(1);
    expect((await call('GET', '/things?after=lamp-1&limit=5')).body.things.map((t: { thingName: string }) => t.thingName)).toEqual(['lamp-2']);

    expect(await call('PATCH', '/things/lamp-1', { attributes: { room: null, floor: '2' }, thingTypeName: null, expectedVersion: 1 })).toMatchObject({ status: 200, body: { attributes: { floor: '2' }, version: 2 } });
    expect((await call('GET', '/things/lamp-1')).body.thingTypeName).toBeUndefined();
    expect(await call('PATCH', '/things/lamp-1', { attributes: { x: 'y' }, expectedVersion: 1 })).toMatchObject({ status: 409, body: { error: 'VersionConflictException' } });
    expect(await call('DELETE', '/things/lamp-1?expectedVersion=1')).toMatchObject({ status: 409 });

    expect((await call('POST', '/thing-groups', { groupName: 'house' })).status).toBe(201);
    expect((await call('POST', '/thing-groups', { groupName: 'hall', parentGroupName: 'house' })).body).toMatchObject({ parentGroupName: 'house' });
    expect((await call('PUT', '/thing-groups/hall/things/lamp-1')).status).toBe(204);
    expect((await call('GET', '/thing-groups/hall/things')).body).toEqual({ things: ['lamp-1'] });
    expect((await call('GET', '/things/lamp-1/groups')).body).toEqual({ groups: ['hall'] });
    expect(await call('DELETE', '/thing-groups/house')).toMatchObject({ status: 409, body: { error: 'DeleteConflictException' } });
    expect((await call('DELETE', '/thing-groups/hall/things/lamp-1')).status).toBe(204);
    expect((await call('GET', '/thing-groups')).body.thingGroups).toHaveLength(2);

    expect(await call('DELETE', '/thing-types/lamp')).toMatchObject({ status: 400, body: { message: 'thing type lamp must be deprecated before it is deleted' } });
    expect((await call('POST', '/thing-types/lamp/deprecate')).body.deprecated).toBe(true);
    expect(await call('POST', '/things', { thingName: 'lamp-3', thingTypeName: 'lamp' })).toMatchObject({ status: 400, body: { message: 'thing type lamp is deprecated' } });
    expect((await call('POST', '/thing-types/lamp/deprecate', { undoDeprecate: true })).body.deprecated).toBe(false);
    expect((await call('GET', '/thing-types')).body.thingTypes).toHaveLength(1);

    expect((await call('DELETE', '/things/lamp-1?expectedVersion=2')).status).toBe(204);
    expect(await call('GET', '/things/lamp-1')).toMatchObject({ status: 404, body: { error: 'ResourceNotFoundException', message: 'thing lamp-1 does not exist' } });
    expect(await names(call)).toEqual(['lamp-2']);
  });

  it('refuses bad input with a 4xx naming each bad field, and writes nothing', async () => {
    const { call, url, cloud } = await api();
    await call('POST', '/things', { thingName: 'keep' });
    const refusals: [Answer, number, RegExp | object][] = [
      [await call('POST', '/things', '{"thingName": "x",'), 400, /^body is not valid JSON: .*position 18/],
      [await call('POST', '/things', '{"__proto__": {"admin": true}, "thingName": "p"}'), 400, /^body: the key __proto__ is not allowed$/],
      [await call('POST', '/things', { thingName: 42, attributes: { room: ['hall'] }, colour: 'red' }), 400, {
        issues: [
          { path: 'body.thingName', message: expect.stringMatching(/expected string/) },
          { path: 'body.attributes.room', message: expect.stringMatching(/expected string/) },
          { path: 'body', message: expect.stringMatching(/colour/) },
        ],
      }],
      [await call('POST', '/things', { thingName: 'bad name' }), 400, { issues: [{ path: 'body.thingName', message: "thing name may only hold letters, digits, ':', '_' and '-'" }] }],
      [await call('POST', '/things', '[1,2]'), 400, { issues: [{ path: 'body', message: expect.stringMatching(/expected object/) }] }],
      [await call('POST', '/things'), 400, { issues: [{ path: 'body', message: expect.stringMatching(/expected object/) }] }],
      [await call('POST', '/things', 'thingName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, /^content type 'application\/x-www-form-urlencoded' is not accepted here: send application\/json$/],
      [await call('POST', '/things', { thingName: 'big', attributes: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`a${i}`, 'v'.repeat(800)])) }), 413, /^body is larger than 262144 bytes$/],
      [await call('GET', '/things?limit=0'), 400, { issues: [{ path: 'query.limit', message: expect.any(String) }] }],
      [await call('GET', '/things?limit=ten&colour=red'), 400, { issues: [{ path: 'query.limit' }, { path: 'query', message: expect.stringMatching(/colour/) }] }],
      [await call('GET', '/things/no%20such'), 400, { issues: [{ path: 'path.thingName' }] }],
      [await call('PATCH', '/things/ghost', { attributes: { a: 'b' } }), 404, { message: 'thing ghost does not exist' }],
      [await call('POST', '/things', { thingName: 'typed', thingTypeName: 'ghost-type' }), 404, { message: 'thing type ghost-type does not exist' }],
      [await call('POST', '/thing-groups', { groupName: 'orphan', parentGroupName: 'ghost' }), 404, {}],
      [await call('PUT', '/thing-groups/ghost/things/keep'), 404, {}],
      [await call('POST', '/things/ghost/tokens'), 404, {}],
      [await call('PUT', `/things/keep/principals/tok-${'0'.repeat(16)}`), 404, { message: `principal tok-${'0'.repeat(16)} does not exist` }],
      [await call('PUT', '/things/keep/principals/not-a-principal'), 400, { issues: [{ path: 'path.principal' }] }],
      [await call('PATCH', `/certificates/${'a'.repeat(64)}`, { status: 'REVOKED' }), 404, {}],
      [await call('PATCH', `/certificates/${'a'.repeat(64)}`, { status: 'GONE' }), 400, { issues: [{ path: 'body.status' }] }],
      [await call('POST', '/certificates', { certificatePem: 'not a certificate' }), 400, /PEM/],
      [await call('DELETE', '/things/keep', { anything: 1 }, { 'content-type': 'text/plain' }), 415, {}],
      [await call('GET', '/nowhere'), 404, { error: 'ResourceNotFoundException', message: 'no route GET /nowhere' }],
    ];
    for (const [answer, status, body] of refusals) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.body.error).toMatch(/Exception$/);
      if (body instanceof RegExp) expect(answer.body.message).toMatch(body);
      else expect(answer.body).toMatchObject(body);
    }
    expect(await names(call)).toEqual(['keep']);
    expect((await call('GET', '/thing-groups')).body.thingGroups).toEqual([]);
    expect((await call('GET', '/device-tokens')).body.deviceTokens).toEqual([]);
    expect(await cloud.registry.principals.principalsOf('keep')).toEqual([]);
    // The server survived it all.
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
    expect(JSON_BODY_LIMIT).toBe(256 * 1024);
  });

  it('registers things in bulk from JSON or CSV, all or nothing', async () => {
    const { call } = await api();
    await call('POST', '/thing-groups', { groupName: 'hall' });
    expect(await call('POST', '/bulk-registrations?format=csv', 'thingName,groups,room\nb1,hall,north\nb2,,south\n', { 'content-type': 'text/csv' })).toMatchObject({ status: 200, body: { registered: ['b1', 'b2'] } });
    expect((await call('GET', '/things/b1')).body.attributes).toEqual({ room: 'north' });
    const conflict = await call('POST', '/bulk-registrations', [{ thingName: 'b3' }, { thingName: 'b1' }]);
    expect(conflict).toMatchObject({ status: 409, body: { message: 'bulk registration refused at record 2, nothing written: thing b1 already exists' } });
    const invalid = await call('POST', '/bulk-registrations', [{ thingName: 'b4' }, { thingName: 'bad name' }]);
    expect(invalid).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^bulk registration refused, nothing written: record 2: thingName/) } });
    expect(await call('POST', '/bulk-registrations?format=xml', '<things/>', { 'content-type': 'text/csv' })).toMatchObject({ status: 400, body: { issues: [{ path: 'query.format' }] } });
    expect(await call('POST', '/bulk-registrations', '[]', { 'content-type': 'text/xml' })).toMatchObject({ status: 415, body: { message: "content type 'text/xml' is not accepted here: send application/json or text/csv" } });
    expect(await names(call)).toEqual(['b1', 'b2']);
  });

  it('issues and revokes device tokens, creates and attaches policies', async () => {
    const { call, cloud } = await api();
    await call('POST', '/things', { thingName: 'lamp' });
    const issued = await call('POST', '/things/lamp/tokens');
    expect(issued).toMatchObject({ status: 201, body: { thingName: 'lamp', status: 'ACTIVE', tokenId: expect.stringMatching(/^tok-/) } });
    const { tokenId, token } = issued.body as { tokenId: string; token: string };
    expect((await call('GET', '/things/lamp/principals')).body).toEqual({ principals: [tokenId] });
    expect((await call('GET', '/device-tokens')).body.deviceTokens).toEqual([{ tokenId, status: 'ACTIVE', createdAt: expect.any(Number) }]);
    expect(JSON.stringify((await call('GET', '/device-tokens')).body)).not.toContain(token.split('.')[1]);

    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] };
    expect(await call('POST', '/policies', { policyName: 'all', policyDocument: JSON.stringify(document) })).toMatchObject({ status: 201, body: { policyDocument: { Statement: [{ Action: ['iot:*'], Resource: ['*'] }] } } });
    expect(await call('POST', '/policies', { policyName: 'bad', policyDocument: { Statement: [{ Effect: 'Maybe', Action: 'iot:Publish', Resource: 'queue/x' }] } })).toMatchObject({
      status: 400,
      body: { issues: expect.arrayContaining([expect.objectContaining({ path: 'body.policyDocument.Statement.0.Effect' })]) },
    });
    expect(await call('POST', '/policies', { policyName: 'text', policyDocument: '{"Statement":' })).toMatchObject({ status: 400, body: { issues: [{ path: 'body.policyDocument', message: expect.stringMatching(/^not valid JSON: /) }] } });
    expect(await call('POST', '/policies', { policyName: 'text', policyDocument: '{"Statement":[]}' })).toMatchObject({ status: 400, body: { issues: [{ path: 'body.policyDocument.Statement', message: 'a policy needs at least one statement' }] } });
    expect((await call('PUT', `/policies/all/targets/${tokenId}`)).status).toBe(204);
    expect((await call('GET', '/policies/all/targets')).body).toEqual({ targets: [tokenId] });
    expect(await cloud.policies.documentsFor(tokenId)).toHaveLength(1);
    expect((await call('DELETE', `/policies/all/targets/${tokenId}`)).status).toBe(204);
    expect((await call('GET', '/policies')).body.policies.map((p: { policyName: string }) => p.policyName)).toEqual(['all']);
    expect((await call('DELETE', '/policies/all')).status).toBe(204);
    expect((await call('GET', '/policies/all')).status).toBe(404);

    // Revoking cuts the live connection too.
    const device = await clients.connect(cloud.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: token });
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    expect((await call('POST', `/device-tokens/${tokenId}/revoke`)).status).toBe(204);
    await closed;
    await expect.poll(async () => (await call('GET', '/things/lamp/connectivity')).body).toMatchObject({ connected: false, disconnectReason: 'AUTH_ERROR' });
    expect(await cloud.registry.principals.verifyToken(token)).toEqual({ refused: 'revoked' });
  });

  it('issues certificates from the built-in CA, registers, revokes and deletes them', async () => {
    const { call, cloud } = await api({ mqttsPort: 0 });
    await call('POST', '/things', { thingName: 'lamp' });
    const { certificatePem: caPem } = (await call('GET', '/ca-certificate')).body as { certificatePem: string };
    const made = await call('POST', '/keys-and-certificate?setAsActive=true', { thingName: 'lamp' });
    expect(made).toMatchObject({ status: 201, body: { certificateId: expect.stringMatching(/^[0-9a-f]{64}$/), keyPair: { PrivateKey: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----/) } } });
    const { X509Certificate } = await import('node:crypto');
    expect(new X509Certificate(made.body.certificatePem).verify(new X509Certificate(caPem).publicKey)).toBe(true);
    const id = made.body.certificateId as string;
    expect((await call('GET', `/certificates/${id}`)).body).toMatchObject({ status: 'ACTIVE', subject: 'CN=lamp' });
    expect((await call('GET', '/things/lamp/principals')).body).toEqual({ principals: [id] });
    expect((await call('POST', '/keys-and-certificate')).body.certificateId).not.toBe(id);
    expect((await call('GET', '/certificates')).body.certificates.map((c: { status: string }) => c.status)).toEqual(['ACTIVE', 'INACTIVE']); // AWS's default

    // Refusals write nothing: no certificate for a thing that does not exist, nor from a bad CSR.
    expect(await call('POST', '/keys-and-certificate?setAsActive=true', { thingName: 'ghost' })).toMatchObject({ status: 404 });
    expect(await call('POST', '/keys-and-certificate?setAsActive=yes')).toMatchObject({ status: 400, body: { issues: [{ path: 'query.setAsActive' }] } });
    expect(await call('POST', '/certificates/from-csr', { certificateSigningRequest: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----' })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^not a PEM PKCS#10/) } });
    expect(await call('POST', '/certificates/from-csr', {})).toMatchObject({ status: 400, body: { issues: [{ path: 'body.certificateSigningRequest' }] } });
    expect((await call('GET', '/certificates')).body.certificates).toHaveLength(2);

    expect(await call('POST', '/certificates', { certificatePem: made.body.certificatePem })).toMatchObject({ status: 409 });
    expect(await call('DELETE', `/certificates/${id}`)).toMatchObject({ status: 409, body: { message: expect.stringMatching(/is ACTIVE/) } });
    const device = await clients.connect(cloud.broker.urls.mqtts!, { clientId: 'lamp', key: made.body.keyPair.PrivateKey, cert: made.body.certificatePem, ca: caPem });
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    expect((await call('PATCH', `/certificates/${id}`, { status: 'REVOKED' })).body).toMatchObject({ status: 'REVOKED' });
    await closed; // the revoked certificate's connection is cut
    expect(await call('DELETE', `/certificates/${id}`)).toMatchObject({ status: 409, body: { message: `certificate ${id} is attached to thing lamp` } });
    expect((await call('DELETE', `/things/lamp/principals/${id}`)).status).toBe(204);
    expect((await call('DELETE', `/certificates/${id}`)).status).toBe(204);
    expect((await call('GET', '/certificates')).body.certificates).toHaveLength(1);
  });

  it("serves shadows in AWS's REST form and publishes their changes to MQTT", async () => {
    const { call, cloud } = await api();
    await call('POST', '/things', { thingName: 'lamp' });
    const { token } = (await call('POST', '/things/lamp/tokens')).body as { token: string };
    const device = await clients.connect(cloud.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: token });
    const box = inbox(device);
    await device.subscribeAsync(['$aws/things/lamp/shadow/update/delta', '$aws/things/lamp/shadow/name/cfg/update/documents'], { qos: 1 });

    const updated = await call('POST', '/things/lamp/shadow', { state: { desired: { on: true } }, clientToken: 'app' });
    expect(updated).toMatchObject({ status: 200, body: { state: { desired: { on: true } }, metadata: { desired: { on: { timestamp: expect.any(Number) } } }, version: 1, clientToken: 'app' } });
    expect(await box.next('$aws/things/lamp/shadow/update/delta')).toMatchObject({ state: { on: true }, version: 1, clientToken: 'app' });
    expect((await call('GET', '/things/lamp/shadow')).body).toMatchObject({ state: { desired: { on: true }, delta: { on: true } }, version: 1 });

    expect(await call('POST', '/things/lamp/shadow', { state: { reported: { on: true } }, version: 7 })).toMatchObject({ status: 409, body: { code: 409, message: 'Version conflict' } });
    expect(await call('POST', '/things/lamp/shadow', '{"state":')).toMatchObject({ status: 400, body: { code: 400, message: 'Invalid JSON' } });
    expect(await call('POST', '/things/lamp/shadow', { state: { desired: 3 } })).toMatchObject({ status: 400, body: { message: 'Desired node must be an object' } });
    expect(await call('POST', '/things/lamp/shadow', { state: { desired: { big: 'x'.repeat(9000) } } })).toMatchObject({ status: 413, body: { code: 413, message: 'Payload too large' } });
    expect(await call('POST', '/things/lamp/shadow', { state: { desired: { huge: 'x'.repeat(200_000) } } })).toMatchObject({ status: 413, body: { error: 'PayloadTooLargeException', message: 'body is larger than 131072 bytes' } });
    expect(await call('GET', '/things/ghost/shadow')).toMatchObject({ status: 404, body: { code: 404, message: 'Thing not found' } });
    expect(await call('GET', '/things/lamp/shadow?name=cfg')).toMatchObject({ status: 404, body: { message: "No shadow exists with name: 'lamp~cfg'" } });
    expect(await call('GET', '/things/lamp/shadow?name=bad%20name')).toMatchObject({ status: 400, body: { issues: [{ path: 'query.name' }] } });

    expect((await call('POST', '/things/lamp/shadow?name=cfg', { state: { reported: { rate: 5 } } })).body).toMatchObject({ version: 1 });
    expect(await box.next('$aws/things/lamp/shadow/name/cfg/update/documents')).toMatchObject({ previous: null, current: { state: { reported: { rate: 5 } }, version: 1 } });
    expect((await call('GET', '/things/lamp/shadows')).body).toMatchObject({ results: ['cfg'] });
    expect(await call('DELETE', '/things/lamp/shadow?name=cfg')).toMatchObject({ status: 200, body: { version: 1 } });
    expect((await call('GET', '/things/lamp/shadows')).body.results).toEqual([]);
    expect((await call('GET', '/things/lamp/shadow')).body.version).toBe(1); // the refused updates wrote nothing
  });

  it('manages provisioning templates and makes claim certificates', async () => {
    const { call, cloud } = await api();
    const body = { Parameters: { Serial: { Type: 'String' } }, Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { 'Fn::Sub': 'lamp-${Serial}' } } } } };
    expect(await call('POST', '/provisioning-templates', { templateName: 'Lamps', templateBody: JSON.stringify(body) })).toMatchObject({ status: 201, body: { templateName: 'Lamps', enabled: false, templateBody: body } });
    expect(await call('POST', '/provisioning-templates', { templateName: 'Bad', templateBody: { Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'Nope' } } } } } })).toMatchObject({
      status: 400, body: { message: 'templateBody: Resources.thing: Ref to undeclared parameter Nope' },
    });
    expect(await call('POST', '/provisioning-templates', { templateName: 'bad name!', templateBody: body })).toMatchObject({ status: 400, body: { issues: [{ path: 'body.templateName' }] } });
    expect((await call('PATCH', '/provisioning-templates/Lamps', { enabled: true })).body.enabled).toBe(true);
    const claim = await call('POST', '/provisioning-templates/Lamps/claim-certificate');
    expect(claim).toMatchObject({ status: 201, body: { policyName: 'Lamps-claim', keyPair: { PrivateKey: expect.stringMatching(/PRIVATE KEY/) } } });
    expect((await call('GET', '/policies/Lamps-claim/targets')).body).toEqual({ targets: [claim.body.certificateId] });
    expect(await call('POST', '/provisioning-templates/Nope/claim-certificate')).toMatchObject({ status: 404 });
    expect((await call('GET', '/provisioning-templates')).body.templates.map((t: { templateName: string }) => t.templateName)).toEqual(['Lamps']);
    expect((await call('DELETE', '/provisioning-templates/Lamps')).status).toBe(204);
    expect(await cloud.templates.list()).toEqual([]);
  });

  it('reports connectivity of a thing', async () => {
    const { call, cloud } = await api();
    await call('POST', '/things', { thingName: 'lamp' });
    expect((await call('GET', '/things/lamp/connectivity')).body).toEqual({ thingName: 'lamp', connected: false });
    const { token } = (await call('POST', '/things/lamp/tokens')).body as { token: string };
    const device = await clients.connect(cloud.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: token });
    await expect.poll(async () => (await call('GET', '/things/lamp/connectivity')).body).toMatchObject({ thingName: 'lamp', clientId: 'lamp', connected: true });
    await device.endAsync();
    await expect.poll(async () => (await call('GET', '/things/lamp/connectivity')).body).toMatchObject({ connected: false, disconnectReason: 'CLIENT_INITIATED_DISCONNECT' });
    expect((await call('GET', '/things/ghost/connectivity')).status).toBe(404);
  });
});
