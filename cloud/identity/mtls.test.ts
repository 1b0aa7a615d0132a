// The built-in CA and the broker's mutual-TLS listener, with MQTT.js over loopback TLS: issued
// certificates verify against the CA with Node's own X509Certificate, a device with an ACTIVE
// registered certificate gets its shadow, and revoked, inactive, unregistered, foreign or
// missing certificates are refused and logged.
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../broker/authorizer.js';
import { startCloud, type Cloud } from '../cloud.js';
import { inbox, mqttClients } from '../testing/mqtt-client.js';
import { CertificateAuthority } from './ca.js';
import { issueCertificate } from './issue.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

async function cloud() {
  const events: SecurityEvent[] = [];
  const started = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, httpPort: null, mqttsPort: 0, onSecurityEvent: (e) => events.push(e) });
  clouds.push(started);
  return { cloud: started, events };
}

const pkcs8 = async (key: webcrypto.CryptoKey) => x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');

/** A CSR as a device would make it, with its own key. */
async function deviceRequest(algorithm: 'rsa' | 'ec', name = 'CN=lamp') {
  const params = algorithm === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: params }, webcrypto as never);
  return { csrPem: csr.toString('pem'), keyPem: await pkcs8(keys.privateKey) };
}

describe('certificate authority', () => {
  it('issues client certificates that chain to the CA, from its own keys or a device CSR (RSA or EC)', async () => {
    const { cloud: c } = await cloud();
    const caCert = new X509Certificate(c.ca.certificatePem);
    expect(caCert.ca).toBe(true);
    // The CA is stored: opening it again gives the same one.
    expect((await CertificateAuthority.open(c.db)).certificatePem).toBe(c.ca.certificatePem);

    const made = await c.ca.createKeysAndCertificate('lamp');
    const device = new X509Certificate(made.certificatePem);
    expect(device.verify(caCert.publicKey)).toBe(true);
    expect(device.checkIssued(caCert)).toBe(true);
    expect(device.subject).toBe('CN=lamp');
    expect(device.ca).toBe(false);
    expect(device.checkPrivateKey((await import('node:crypto')).createPrivateKey(made.privateKeyPem))).toBe(true);
    expect(new Date(device.validTo).getUTCFullYear()).toBe(2049);

    for (const algorithm of ['rsa', 'ec'] as const) {
      const request = await deviceRequest(algorithm, 'CN=sensor-7, O=acme');
      const signed = new X509Certificate(await c.ca.signRequest(request.csrPem));
      expect(signed.verify(caCert.publicKey)).toBe(true);
      expect(signed.subject).toBe('CN=sensor-7\nO=acme');
      expect(signed.checkPrivateKey((await import('node:crypto')).createPrivateKey(request.keyPem))).toBe(true);
    }
  });

  it('refuses a CSR that is not one, or whose signature does not verify', async () => {
    const { cloud: c } = await cloud();
    await expect(c.ca.signRequest('hello')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^not a PEM PKCS#10 certificate signing request/) });
    const { csrPem } = await deviceRequest('ec');
    const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
    der[der.length - 5]! ^= 0xff; // inside the signature
    await expect(c.ca.signRequest(x509.PemConverter.encode(der, 'CERTIFICATE REQUEST'))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/signature/) });
    expect(await c.registry.principals.listCertificates()).toEqual([]);
  });
});

describe('mutual TLS', () => {
  it('lets a device in with its ACTIVE certificate, and refuses it once revoked or inactive, logging why', async () => {
    const { cloud: c, events } = await cloud();
    await c.registry.things.create({ thingName: 'lamp' });
    const issued = await issueCertificate(c.db, c.registry, c.ca, { status: 'ACTIVE', thingName: 'lamp' });
    const tls = { key: issued.privateKeyPem!, cert: issued.certificate.certificatePem, ca: c.ca.certificatePem };
    expect(c.broker.urls.mqtts).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);

    const device = await clients.connect(c.broker.urls.mqtts!, { clientId: 'lamp', ...tls });
    const box = inbox(device);
    await device.subscribeAsync('$aws/things/lamp/shadow/update/accepted', { qos: 1 });
    await device.publishAsync('$aws/things/lamp/shadow/update', '{"state":{"reported":{"on":true}}}', { qos: 1 });
    expect(await box.next('$aws/things/lamp/shadow/update/accepted')).toMatchObject({ state: { reported: { on: true } }, version: 1 });
    // The connection's principal is the certificate: its id is in the presence record.
    expect(await c.registry.connectivity.ofThing('lamp')).toMatchObject({ connected: true });
    await device.endAsync();

    const id = issued.certificate.certificateId;
    await c.registry.principals.setCertificateStatus(id, 'INACTIVE');
    await expect(clients.connect(c.broker.urls.mqtts!, { clientId: 'lamp', ...tls })).rejects.toThrow(/Not authorized/i);
    await c.registry.principals.setCertificateStatus(id, 'REVOKED');
    await expect(clients.connect(c.broker.urls.mqtts!, { clientId: 'lamp', ...tls })).rejects.toThrow(/Not authorized/i);
    expect(events).toEqual([
      { event: 'connect-refused', clientId: 'lamp', reason: `certificate ${id} is INACTIVE` },
      { event: 'connect-refused', clientId: 'lamp', reason: `certificate ${id} is REVOKED` },
    ]);
  });

  it('refuses certificates the registry does not know, the CA did not sign, or none, logging each', async () => {
    const { cloud: c, events } = await cloud();
    await c.registry.things.create({ thingName: 'lamp' });
    // Signed by the CA but never registered (or deleted since).
    const unregistered = await c.ca.createKeysAndCertificate('lamp');
    const id = (await import('../registry/principals.js')).certificateIdOf(unregistered.certificatePem);
    await expect(clients.connect(c.broker.urls.mqtts!, { clientId: 'lamp', key: unregistered.privateKeyPem, cert: unregistered.certificatePem, ca: c.ca.certificatePem })).rejects.toThrow(/Not authorized/i);
    expect(events).toContainEqual({ event: 'connect-refused', clientId: 'lamp', reason: `certificate ${id} is not registered` });

    // Signed by another CA: refused in the TLS handshake, even if registered.
    const { cloud: other } = await cloud();
    const foreign = await other.ca.createKeysAndCertificate('lamp');
    await c.registry.principals.registerCertificate(foreign.certificatePem, 'ACTIVE');
    await c.registry.principals.attach('lamp', (await c.registry.principals.listCertificates())[0]!.certificateId);
    await expect(clients.connect(c.broker.urls.mqtts!, { clientId: 'lamp', key: foreign.privateKeyPem, cert: foreign.certificatePem, ca: c.ca.certificatePem })).rejects.toThrow();
    // No client certificate at all.
    await expect(clients.connect(c.broker.urls.mqtts!, { clientId: 'lamp', ca: c.ca.certificatePem })).rejects.toThrow();
    await expect.poll(() => events.filter((e) => e.event === 'tls-refused')).toEqual([
      { event: 'tls-refused', address: '127.0.0.1', reason: "client certificate refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE): not signed by the cloud's CA" },
      { event: 'tls-refused', address: '127.0.0.1', reason: 'no client certificate' },
    ]);
  });
});
