// Fleet provisioning by claim against a responder written from the AWS spec
// (sdk/testing/provisioning-responder.ts; mote's cloud has no provisioning service yet).
import { describe, expect, it } from 'vitest';
import { Kernel, VirtualClock } from '../../firmware/kernel/index.js';
import { utf8Decode } from '../bytes.js';
import { decodeCbor } from '../cbor/index.js';
import type { ServiceError } from '../request.js';
import { ProvisioningResponder } from '../testing/provisioning-responder.js';
import { connectionPair } from '../testing/router.js';
import { FleetProvisioning, provisionByClaim, type CreatedCertificate, type Provisioned, type Registered } from './client.js';
import { call } from '../../test/sdk-calls.js';


const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n';

function setup() {
  const pair = connectionPair();
  let now = 1_000_000;
  const responder = new ProvisioningResponder(pair.service, () => now);
  responder.templates.Lamps = { required: ['SerialNumber'], thingName: (p) => `lamp-${p.SerialNumber}`, deviceConfiguration: { region: 'home' } };
  return { ...pair, responder, fp: new FleetProvisioning(pair.device), advance: (ms: number) => (now += ms) };
}

describe('FleetProvisioning', () => {
  it('CreateKeysAndCertificate then RegisterThing on the AWS topics; answer topics released after', async () => {
    const { fp, router, responder, device } = setup();
    const created = await call<CreatedCertificate>((d) => fp.createKeysAndCertificate(d));
    expect(created.value).toEqual({ certificateId: 'cert1', certificatePem: expect.stringContaining('BEGIN CERTIFICATE'), privateKey: expect.stringContaining('PRIVATE KEY'), certificateOwnershipToken: expect.any(String) });
    const registered = await call<Registered>((d) => fp.registerThing('Lamps', { certificateOwnershipToken: created.value!.certificateOwnershipToken, parameters: { SerialNumber: '42' } }, d));
    expect(registered.value).toEqual({ thingName: 'lamp-42', deviceConfiguration: { region: 'home' } });
    expect(responder.things).toEqual({ 'lamp-42': 'cert1' });
    const sent = router.log.filter((m) => m.from === 'device');
    expect(sent.map((m) => [m.topic, JSON.parse(utf8Decode(m.payload))])).toEqual([
      ['$aws/certificates/create/json', {}],
      ['$aws/provisioning-templates/Lamps/provision/json', { certificateOwnershipToken: created.value!.certificateOwnershipToken, parameters: { SerialNumber: '42' } }],
    ]);
    await new Promise((r) => setTimeout(r, 5));
    expect(router.filtersOf(device)).toEqual([]);
  });

  it('CreateCertificateFromCsr answers without a private key; a bad CSR is refused', async () => {
    const { fp } = setup();
    const created = await call<CreatedCertificate>((d) => fp.createCertificateFromCsr(CSR, d));
    expect(created.value?.privateKey).toBeUndefined();
    expect(created.value?.certificatePem).toContain('BEGIN CERTIFICATE');
    const bad = await call((d) => fp.createCertificateFromCsr('nope', d));
    expect([bad.error?.statusCode, bad.error?.code, bad.error?.message]).toEqual([400, 'InvalidCsr', 'The certificate signing request is not valid']);
  });

  it('refusals surface statusCode, errorCode and errorMessage: unknown template, missing parameter, expired or reused token', async () => {
    const { fp, advance } = setup();
    const token = (await call<CreatedCertificate>((d) => fp.createKeysAndCertificate(d))).value!.certificateOwnershipToken;
    const missing = await call((d) => fp.registerThing('Nope', { certificateOwnershipToken: token }, d));
    expect([missing.error?.statusCode, missing.error?.code, missing.error?.message]).toEqual([404, 'ResourceNotFound', 'Template Nope not found']);
    const noParam = await call((d) => fp.registerThing('Lamps', { certificateOwnershipToken: token }, d));
    expect([noParam.error?.statusCode, noParam.error?.code, noParam.error?.message]).toEqual([400, 'InvalidParameters', 'Missing parameter: SerialNumber']);
    expect(noParam.error?.response).toEqual({ statusCode: 400, errorCode: 'InvalidParameters', errorMessage: 'Missing parameter: SerialNumber' });
    advance(3600_001);
    const expired = await call((d) => fp.registerThing('Lamps', { certificateOwnershipToken: token, parameters: { SerialNumber: '1' } }, d));
    expect(expired.error?.code).toBe('InvalidCertificateOwnershipToken');
    expect(() => fp.registerThing('bad/name', { certificateOwnershipToken: token }, () => undefined)).toThrow(/template name/);
  });

  it('provisionByClaim chains the two steps, and stops at the first refusal', async () => {
    const { fp, responder } = setup();
    const done = await call<Provisioned>((d) => provisionByClaim(fp, { template: 'Lamps', parameters: { SerialNumber: '7' }, csr: CSR }, d));
    expect(done.value?.thing.thingName).toBe('lamp-7');
    expect(done.value?.certificate.certificateId).toBe('cert1');
    const failed = await call<Provisioned>((d) => provisionByClaim(fp, { template: 'Lamps' }, d));
    expect((failed.error as ServiceError).code).toBe('InvalidParameters');
    expect(Object.keys(responder.things)).toEqual(['lamp-7']);
  });

  it('CBOR: the same flow on the /cbor topics with CBOR payloads both ways', async () => {
    const { router, responder, device } = setup();
    const fp = new FleetProvisioning(device, { format: 'cbor' });
    const done = await call<Provisioned>((d) => provisionByClaim(fp, { template: 'Lamps', parameters: { SerialNumber: '5' } }, d));
    expect(done.value?.thing).toEqual({ thingName: 'lamp-5', deviceConfiguration: { region: 'home' } });
    expect(done.value?.certificate.privateKey).toContain('PRIVATE KEY');
    expect(responder.things).toEqual({ 'lamp-5': 'cert1' });
    const sent = router.log.filter((m) => m.from === 'device');
    expect(sent.map((m) => m.topic)).toEqual(['$aws/certificates/create/cbor', '$aws/provisioning-templates/Lamps/provision/cbor']);
    expect(decodeCbor(sent[1]!.payload)).toEqual({ certificateOwnershipToken: done.value!.certificate.certificateOwnershipToken, parameters: { SerialNumber: '5' } });
    const refused = await call((d) => fp.registerThing('Lamps', { certificateOwnershipToken: 'nope' }, d));
    expect([refused.error?.statusCode, refused.error?.code]).toEqual([400, 'InvalidCertificateOwnershipToken']);
  });

  it('answers to concurrent requests on one topic are matched in order', async () => {
    const { fp } = setup();
    const [a, b] = await Promise.all([call<CreatedCertificate>((d) => fp.createKeysAndCertificate(d)), call<CreatedCertificate>((d) => fp.createKeysAndCertificate(d))]);
    expect([a.value?.certificateId, b.value?.certificateId]).toEqual(['cert1', 'cert2']);
  });

  it('blocking forms run in a task', async () => {
    const { fp } = setup();
    const kernel = new Kernel();
    const clock = new VirtualClock(kernel);
    const log: string[] = [];
    kernel.createTask('provision', 1, function* () {
      const cert = yield* fp.createKeysAndCertificateBlocking(kernel, 100);
      if (!cert.ok) throw cert.error;
      const thing = yield* fp.registerThingBlocking(kernel, 'Lamps', { certificateOwnershipToken: cert.value.certificateOwnershipToken, parameters: { SerialNumber: '9' } }, 100);
      log.push(thing.ok ? thing.value.thingName : thing.error.message);
      yield* kernel.suspend();
    });
    clock.start();
    for (let i = 0; i < 100 && log.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(log).toEqual(['lamp-9']);
  });
});
