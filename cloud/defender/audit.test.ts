// Defender's audit on a real cloud (in-memory store, loopback MQTT and mutual TLS, HTTP API):
// devices really connect, share a token, retry with a revoked certificate; the findings come
// back from GET /defender/audit.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCloud, type Cloud } from '../cloud.js';
import { issueCertificate } from '../identity/issue.js';
import { mqttClients } from '../testing/mqtt-client.js';
import type { AuditReport } from './audit.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

async function cloud() {
  const c = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, httpPort: 0, mqttsPort: 0 });
  clouds.push(c);
  const audit = async (token = c.newAdminToken!) => {
    const response = await fetch(`${c.api!.url}/defender/audit`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as AuditReport };
  };
  return { c, audit };
}

describe('Defender audit', () => {
  it('finds nothing in a fleet whose things each have their own credentials and a narrow policy', async () => {
    const { c, audit } = await cloud();
    await c.registry.things.create({ thingName: 'lamp-1' });
    const { token, tokenId } = await c.registry.principals.createToken('lamp-1');
    await c.policies.create('own-topics', { Statement: [{ Effect: 'Allow', Action: ['iot:Connect'], Resource: ['client/${iot:Connection.Thing.ThingName}'] }] });
    // Denying everything is not permissive.
    await c.policies.create('lockdown', { Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] });
    await c.policies.attach('own-topics', tokenId);
    await clients.connect(c.broker.urls.mqtt, { clientId: 'lamp-1', username: 'lamp-1', password: token });
    const { status, body } = await audit();
    expect(status).toBe(200);
    expect(body.findings).toEqual([]);
    expect(body.summary).toEqual({ DEVICE_CERTIFICATE_SHARED_CHECK: 0, REVOKED_CERTIFICATE_CONNECT_ATTEMPTS_CHECK: 0, IOT_POLICY_OVERLY_PERMISSIVE_CHECK: 0, THING_WITHOUT_POLICY_CHECK: 0 });
    expect(body.auditedAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('reports a shared token, a revoked certificate retrying, a wildcard policy and things without a policy', async () => {
    const { c, audit } = await cloud();
    for (const thingName of ['lamp-1', 'lamp-2', 'meter', 'orphan']) await c.registry.things.create({ thingName });
    const shared = await c.registry.principals.createToken('lamp-1');
    await c.policies.create('lamps', { Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: 'client/lamp-*' }] });
    await c.policies.attach('lamps', shared.tokenId);
    await c.policies.create('admin', { Statement: [{ Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: ['topic/things/x', 'arn:aws:iot:eu-west-1:123:topic/*'] }] });

    // Two devices holding the same token.
    await clients.connect(c.broker.urls.mqtt, { clientId: 'lamp-1', username: 'x', password: shared.token });
    await clients.connect(c.broker.urls.mqtt, { clientId: 'lamp-2', username: 'x', password: shared.token });

    // A revoked certificate that keeps trying, twice.
    const issued = await issueCertificate(c.db, c.registry, c.ca, { status: 'ACTIVE', thingName: 'meter' });
    const certificateId = issued.certificate.certificateId;
    await c.registry.principals.setCertificateStatus(certificateId, 'REVOKED');
    const tls = { key: issued.privateKeyPem!, cert: issued.certificate.certificatePem, ca: c.ca.certificatePem };
    for (let i = 0; i < 2; i++) await expect(clients.connect(c.broker.urls.mqtts!, { clientId: 'meter', ...tls })).rejects.toThrow(/Not authorized/i);

    // Presence events reach Defender after the registry write: wait for the second connection.
    await vi.waitFor(async () => expect((await audit()).body.summary.DEVICE_CERTIFICATE_SHARED_CHECK).toBe(1));
    const { body } = await audit();
    expect(body.findings).toEqual([
      { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', severity: 'CRITICAL', resource: { type: 'DEVICE_TOKEN', id: shared.tokenId }, reason: 'connected as 2 client ids: lamp-1, lamp-2' },
      { checkName: 'REVOKED_CERTIFICATE_CONNECT_ATTEMPTS_CHECK', severity: 'MEDIUM', resource: { type: 'CERTIFICATE', id: certificateId }, reason: expect.stringMatching(/^revoked, yet 2 connection attempt\(s\) as meter, the last at \d{4}-/) },
      { checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK', severity: 'CRITICAL', resource: { type: 'POLICY', id: 'admin' }, reason: 'allows iot:Publish, iot:Receive on arn:aws:iot:eu-west-1:123:topic/*' },
      { checkName: 'THING_WITHOUT_POLICY_CHECK', severity: 'LOW', resource: { type: 'THING', id: 'lamp-2' }, reason: 'has no certificate or device token attached' },
      { checkName: 'THING_WITHOUT_POLICY_CHECK', severity: 'LOW', resource: { type: 'THING', id: 'meter' }, reason: 'none of its 1 principal(s) has a policy attached: the default policy applies' },
      { checkName: 'THING_WITHOUT_POLICY_CHECK', severity: 'LOW', resource: { type: 'THING', id: 'orphan' }, reason: 'has no certificate or device token attached' },
    ]);
    expect(body.summary).toEqual({ DEVICE_CERTIFICATE_SHARED_CHECK: 1, REVOKED_CERTIFICATE_CONNECT_ATTEMPTS_CHECK: 1, IOT_POLICY_OVERLY_PERMISSIVE_CHECK: 1, THING_WITHOUT_POLICY_CHECK: 3 });

    // Reinstated, the certificate is no longer a finding; attaching a policy clears the thing.
    await c.registry.principals.setCertificateStatus(certificateId, 'ACTIVE');
    await c.policies.attach('lamps', certificateId);
    const after = (await audit()).body.summary;
    expect(after.REVOKED_CERTIFICATE_CONNECT_ATTEMPTS_CHECK).toBe(0);
    expect(after.THING_WITHOUT_POLICY_CHECK).toBe(2);
  });

  it('needs the admin token', async () => {
    const { audit } = await cloud();
    expect((await audit('wrong')).status).toBe(401);
  });
});
