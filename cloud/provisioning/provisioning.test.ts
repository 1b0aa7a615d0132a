// Fleet provisioning end to end with MQTT.js over the broker's mutual-TLS listener: a device
// holding a claim certificate gets its own certificate (new keys, or signing its CSR; JSON and
// CBOR), registers through a template, and reconnects as its thing; refusals carry AWS's
// statusCode/errorCode/errorMessage and write nothing.
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { decodeCbor, encodeCbor } from '../../sdk/cbor/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../cloud.js';
import { inbox, mqttClients } from '../testing/mqtt-client.js';
import { OWNERSHIP_TOKEN_LIFETIME_MS, ProvisioningService } from './service.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

const lampTemplate = {
  Parameters: { SerialNumber: { Type: 'String' }, Room: { Type: 'String', Default: 'hall' } },
  Mappings: { Regions: { hall: { broker: 'eu-1' } } },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: {
        ThingName: { 'Fn::Join': ['', ['lamp-', { Ref: 'SerialNumber' }]] },
        AttributePayload: { serial: { Ref: 'SerialNumber' }, room: { Ref: 'Room' } },
        ThingGroups: ['lamps'],
      },
    },
    certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'Active' } },
  },
  DeviceConfiguration: { region: { 'Fn::FindInMap': ['Regions', { Ref: 'Room' }, 'broker'] }, greeting: { 'Fn::Sub': 'hello ${SerialNumber}' } },
};

async function cloud() {
  const started = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, httpPort: null, mqttsPort: 0 });
  clouds.push(started);
  await started.registry.groups.create({ groupName: 'lamps' });
  await started.templates.create({ templateName: 'Lamps', templateBody: JSON.stringify(lampTemplate), enabled: true });
  return started;
}

/** A device connected with the template's claim certificate. */
async function claimDevice(c: Cloud, clientId: string) {
  const claim = await c.provisioning.createClaimCertificate('Lamps');
  const client = await clients.connect(c.broker.urls.mqtts!, { clientId, key: claim.privateKeyPem, cert: claim.certificatePem, ca: c.ca.certificatePem });
  return client;
}

/** Publishes a request and waits for its accepted or rejected answer. */
async function ask(client: Awaited<ReturnType<typeof claimDevice>>, topic: string, payload: Buffer | string, decode: (b: Buffer) => unknown = (b) => JSON.parse(b.toString())) {
  await client.subscribeAsync([`${topic}/accepted`, `${topic}/rejected`], { qos: 1 });
  const answer = new Promise<{ outcome: string; body: Record<string, unknown> }>((resolve) => {
    const onMessage = (t: string, p: Buffer) => {
      if (t !== `${topic}/accepted` && t !== `${topic}/rejected`) return;
      client.off('message', onMessage);
      resolve({ outcome: t.slice(topic.length + 1), body: decode(p) as Record<string, unknown> });
    };
    client.on('message', onMessage);
  });
  await client.publishAsync(topic, payload, { qos: 1 });
  return answer;
}

describe('fleet provisioning', () => {
  it('provisions a device by claim: new keys, RegisterThing, then it connects as its thing', async () => {
    const c = await cloud();
    const device = await claimDevice(c, 'claim-1');
    // Another holder of the claim, listening on the same answer topic, hears nothing.
    const eavesdropper = await claimDevice(c, 'claim-2');
    const overheard: string[] = [];
    eavesdropper.on('message', (topic) => overheard.push(topic));
    await eavesdropper.subscribeAsync('$aws/certificates/create/json/accepted', { qos: 1 });

    const created = await ask(device, '$aws/certificates/create/json', '{}');
    expect(created.outcome).toBe('accepted');
    expect(Object.keys(created.body)).toEqual(['certificateId', 'certificatePem', 'privateKey', 'certificateOwnershipToken']);
    const { certificateId, certificatePem, privateKey, certificateOwnershipToken } = created.body as Record<string, string>;
    expect(new X509Certificate(certificatePem!).verify(new X509Certificate(c.ca.certificatePem).publicKey)).toBe(true);
    expect(await c.registry.principals.certificateStatus(certificateId!)).toBe('PENDING_ACTIVATION');

    const registered = await ask(device, '$aws/provisioning-templates/Lamps/provision/json', JSON.stringify({ certificateOwnershipToken, parameters: { SerialNumber: '42' } }));
    expect(registered).toEqual({ outcome: 'accepted', body: { deviceConfiguration: { region: 'eu-1', greeting: 'hello 42' }, thingName: 'lamp-42' } });
    expect(await c.registry.things.describe('lamp-42')).toMatchObject({ attributes: { serial: '42', room: 'hall' } });
    expect(await c.registry.groups.groupsOf('lamp-42')).toEqual(['lamps']);
    expect(await c.registry.principals.principalsOf('lamp-42')).toEqual([certificateId]);
    expect(await c.registry.principals.certificateStatus(certificateId!)).toBe('ACTIVE');

    // The token is spent.
    const again = await ask(device, '$aws/provisioning-templates/Lamps/provision/json', JSON.stringify({ certificateOwnershipToken, parameters: { SerialNumber: '42' } }));
    expect(again).toEqual({ outcome: 'rejected', body: { statusCode: 400, errorCode: 'InvalidCertificateOwnershipToken', errorMessage: 'Certificate ownership token is invalid or expired' } });
    expect(overheard).toEqual([]);

    // The device reconnects with its own certificate, as its thing, under the default policy.
    const lamp = await clients.connect(c.broker.urls.mqtts!, { clientId: 'lamp-42', key: privateKey!, cert: certificatePem!, ca: c.ca.certificatePem });
    const box = inbox(lamp);
    await lamp.subscribeAsync('$aws/things/lamp-42/shadow/update/accepted', { qos: 1 });
    await lamp.publishAsync('$aws/things/lamp-42/shadow/update', '{"state":{"reported":{"on":false}}}', { qos: 1 });
    expect(await box.next('$aws/things/lamp-42/shadow/update/accepted')).toMatchObject({ version: 1 });
  });

  it('signs a device CSR over CBOR, and attaches the policy the template names', async () => {
    const c = await cloud();
    await c.templates.update('Lamps', { templateBody: { ...lampTemplate, Resources: { ...lampTemplate.Resources, policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}' } } } } });
    const device = await claimDevice(c, 'claim-1');
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=lamp-7', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } }, webcrypto as never);
    const cbor = (b: Buffer) => decodeCbor(new Uint8Array(b));

    const created = await ask(device, '$aws/certificates/create-from-csr/cbor', Buffer.from(encodeCbor({ certificateSigningRequest: csr.toString('pem') })), cbor);
    expect(created.outcome).toBe('accepted');
    expect(Object.keys(created.body)).toEqual(['certificateOwnershipToken', 'certificateId', 'certificatePem']);
    expect(new X509Certificate(created.body.certificatePem as string).subject).toBe('CN=lamp-7');

    const registered = await ask(device, '$aws/provisioning-templates/Lamps/provision/cbor', Buffer.from(encodeCbor({ certificateOwnershipToken: created.body.certificateOwnershipToken as string, parameters: { SerialNumber: '7', Room: 'hall' } })), cbor);
    expect(registered.body).toMatchObject({ thingName: 'lamp-7' });
    const attached = await c.policies.documentsFor(created.body.certificateId as string);
    expect(attached).toEqual([{ Statement: [{ Effect: 'Allow', Action: ['iot:*'], Resource: ['*'] }] }]);

    const badCsr = await ask(device, '$aws/certificates/create-from-csr/json', JSON.stringify({ certificateSigningRequest: 'nope' }));
    expect(badCsr).toEqual({ outcome: 'rejected', body: { statusCode: 400, errorCode: 'InvalidCsr', errorMessage: 'The certificate signing request is not valid' } });
    const garbage = await ask(device, '$aws/certificates/create/cbor', Buffer.from([0xff, 0x00]), cbor);
    expect(garbage.body).toMatchObject({ statusCode: 400, errorCode: 'InvalidPayload' });
  });

  it('refuses unknown or disabled templates, missing parameters, expired tokens, and writes nothing when a resource fails', async () => {
    const c = await cloud();
    let now = Date.now();
    const service = new ProvisioningService(c.db, c.registry, c.policies, c.ca, c.templates, { now: () => now });
    const token = async () => ((await service.createKeysAndCertificate(undefined)).payload as { certificateOwnershipToken: string }).certificateOwnershipToken;

    expect((await service.registerThing('Nope', { certificateOwnershipToken: await token() })).payload).toEqual({ statusCode: 404, errorCode: 'ResourceNotFound', errorMessage: 'Template Nope not found' });
    expect((await service.registerThing('Lamps', { certificateOwnershipToken: await token() })).payload).toEqual({ statusCode: 400, errorCode: 'InvalidParameters', errorMessage: 'Missing parameter: SerialNumber' });
    expect((await service.registerThing('Lamps', { certificateOwnershipToken: 'made-up', parameters: { SerialNumber: '1' } })).payload).toMatchObject({ errorCode: 'InvalidCertificateOwnershipToken' });
    expect((await service.registerThing('Lamps', { certificateOwnershipToken: await token(), parameters: { SerialNumber: 1 } })).payload).toMatchObject({ statusCode: 400, errorCode: 'InvalidParameters' });
    expect((await service.registerThing('Lamps', 'text')).payload).toMatchObject({ statusCode: 400, errorCode: 'InvalidPayload' });

    const late = await token();
    now += OWNERSHIP_TOKEN_LIFETIME_MS;
    expect((await service.registerThing('Lamps', { certificateOwnershipToken: late, parameters: { SerialNumber: '1' } })).payload).toMatchObject({ errorCode: 'InvalidCertificateOwnershipToken' });

    await c.templates.update('Lamps', { enabled: false });
    expect((await service.registerThing('Lamps', { certificateOwnershipToken: await token(), parameters: { SerialNumber: '1' } })).payload).toEqual({ statusCode: 403, errorCode: 'Forbidden', errorMessage: 'Template Lamps is disabled' });
    await c.templates.update('Lamps', { enabled: true });

    // The group is gone: the thing is not created, the certificate stays pending, the token unspent.
    await c.registry.groups.delete('lamps');
    const kept = await token();
    expect((await service.registerThing('Lamps', { certificateOwnershipToken: kept, parameters: { SerialNumber: '9' } })).payload).toEqual({ statusCode: 404, errorCode: 'ResourceNotFound', errorMessage: 'thing group lamps does not exist' });
    expect(await c.registry.things.find('lamp-9')).toBeUndefined();
    await c.registry.groups.create({ groupName: 'lamps' });
    expect((await service.registerThing('Lamps', { certificateOwnershipToken: kept, parameters: { SerialNumber: '9' } })).accepted).toBe(true);
    expect(await c.registry.things.find('lamp-9')).toBeDefined();

    // An existing thing is left as it is unless OverrideSettings say otherwise.
    await c.registry.things.update('lamp-9', { attributes: { room: 'attic', extra: 'x' } });
    await c.templates.update('Lamps', { templateBody: { ...lampTemplate, Resources: { ...lampTemplate.Resources, thing: { ...lampTemplate.Resources.thing, OverrideSettings: { AttributePayload: 'REPLACE' } } } } });
    expect((await service.registerThing('Lamps', { certificateOwnershipToken: await token(), parameters: { SerialNumber: '9' } })).accepted).toBe(true);
    expect((await c.registry.things.describe('lamp-9')).attributes).toEqual({ serial: '9', room: 'hall' });
    expect(await c.registry.principals.principalsOf('lamp-9')).toHaveLength(2);
  });

  it('checks templates when they are created', async () => {
    const c = await cloud();
    const refused = (body: unknown) => c.templates.create({ templateName: 'T', templateBody: body }).then(() => 'created', (e: Error) => e.message);
    expect(await refused({ Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { 'Fn::If': ['c', 'a', 'b'] } } } } })).toBe('templateBody: Resources.thing: unsupported function Fn::If');
    expect(await refused({ Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'Serial' } } } } })).toBe('templateBody: Resources.thing: Ref to undeclared parameter Serial');
    expect(await refused({ Resources: {} })).toBe('templateBody: Resources: a template needs an AWS::IoT::Thing');
    expect(await refused('{"Resources":')).toMatch(/^templateBody: not valid JSON/);
    expect(await refused({ Resources: { p: { Type: 'AWS::IoT::Queue', Properties: {} } } })).toMatch(/^templateBody\.Resources\.p\.Type: /);
    expect(await c.templates.list()).toHaveLength(1);
  });
});
