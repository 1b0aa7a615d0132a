// The device SDK's fleet provisioning client (sdk/provisioning, over the device MQTT client on
// the sim port's Node TCP) against this service in a real cloud: the two sides, written
// separately from the AWS contract, meet on topics, payloads (JSON and CBOR) and refusals.
// The claim is a device token holding the template's claim policy (the sim TCP has no TLS).
import { afterEach, describe, expect, it } from 'vitest';
import { createDevice, realTimer, TCP } from '../../firmware/hal/sim/node/index.js';
import { MqttClient } from '../../sdk/mqtt/client/client.js';
import { FleetProvisioning, provisionByClaim, type Provisioned } from '../../sdk/provisioning/index.js';
import { call, until } from '../../test/sdk-calls.js';
import { startCloud } from '../cloud.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('fleet provisioning with the device SDK', () => {
  it('provisions by claim in JSON and CBOR, and the SDK reads the refusals', async () => {
    const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: null });
    cleanup.push(() => cloud.close());
    await cloud.templates.create({
      templateName: 'Lamps',
      enabled: true,
      templateBody: {
        Parameters: { SerialNumber: { Type: 'String' } },
        Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { 'Fn::Join': ['', ['lamp-', { Ref: 'SerialNumber' }]] } } } },
        DeviceConfiguration: { region: 'home' },
      },
    });
    const { policyName } = await cloud.provisioning.createClaimCertificate('Lamps');
    await cloud.registry.things.create({ thingName: 'factory' });
    const claim = await cloud.registry.principals.createToken('factory');
    await cloud.policies.attach(policyName, claim.tokenId);

    createDevice();
    const port = Number(new URL(cloud.broker.urls.mqtt).port);
    const client = new MqttClient({ clientId: 'factory', transport: { TCP, host: '127.0.0.1', port }, timer: realTimer, username: 'factory', password: claim.token });
    cleanup.push(() => client.stop());
    client.start();
    await until(() => client.connected, 'connected');

    for (const [format, serial] of [['json', '1'], ['cbor', '2']] as const) {
      const done = await call<Provisioned>((d) => provisionByClaim(new FleetProvisioning(client, { format }), { template: 'Lamps', parameters: { SerialNumber: serial } }, d));
      expect(done.error).toBeUndefined();
      expect(done.value!.thing).toEqual({ thingName: `lamp-${serial}`, deviceConfiguration: { region: 'home' } });
      expect(done.value!.certificate.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(await cloud.registry.principals.principalsOf(`lamp-${serial}`)).toEqual([done.value!.certificate.certificateId]);
    }

    const missing = await call((d) => provisionByClaim(new FleetProvisioning(client), { template: 'Lamps' }, d));
    expect([missing.error?.statusCode, missing.error?.code, missing.error?.message]).toEqual([400, 'InvalidParameters', 'Missing parameter: SerialNumber']);
    const badCsr = await call((d) => new FleetProvisioning(client).createCertificateFromCsr('-----BEGIN CERTIFICATE REQUEST-----\nnot one\n-----END CERTIFICATE REQUEST-----\n', d));
    expect([badCsr.error?.statusCode, badCsr.error?.code, badCsr.error?.message]).toEqual([400, 'InvalidCsr', 'The certificate signing request is not valid']);
  });
});
