/**
 * The cloud's built-in certificate authority: it issues the X.509 client certificates devices
 * present on the broker's mutual-TLS listener, and the listener's own server certificate.
 * Certificates are made with @peculiar/x509 over Node's WebCrypto (Node's crypto can read
 * certificates but not sign them).
 *
 * Keys are RSA 2048 with SHA-256 signatures, as AWS IoT's CreateKeysAndCertificate gives, which
 * every TLS stack on the ESP32 handles. A CSR may carry an RSA or EC (P-256/P-384) key. The CA's
 * key and certificate live in the store (one row), so every cloud process on a shared
 * PostgreSQL signs with the same CA: guard the store as you would the key.
 *
 * Revocation is the registry's certificate status, checked at every connect (broker/identity.ts).
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs it loaded first
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { invalid } from '../errors.js';
import type { Database } from '../store/database.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
/** AWS IoT's device certificates are valid until the end of 2049; so are mote's. */
const DEVICE_NOT_AFTER = new Date('2049-12-31T23:59:59Z');
const SERVER_DAYS = 365;

export interface IssuedKeys {
  certificatePem: string;
  privateKeyPem: string;
}

/** A positive 128-bit serial number in hex (the top bit clear keeps it positive in DER). */
const serialNumber = () => {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
};

const pem = (der: ArrayBuffer, label: string) => x509.PemConverter.encode(der, label);

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export class CertificateAuthority {
  private constructor(
    /** The CA certificate devices and the TLS listener trust. */
    readonly certificatePem: string,
    private readonly certificate: x509.X509Certificate,
    private readonly signingKey: CryptoKey,
  ) {}

  /** The store's CA, created on first use (by whichever process gets there first). */
  static async open(db: Database): Promise<CertificateAuthority> {
    type Row = { key_pem: string; certificate_pem: string };
    let row = await db.get<Row>('SELECT key_pem, certificate_pem FROM certificate_authority WHERE slot = 1');
    if (row === undefined) {
      const keys = await generateKeys();
      const certificate = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serialNumber(),
        name: `CN=mote cloud CA ${randomBytes(4).toString('hex')}, O=mote`,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: DEVICE_NOT_AFTER,
        keys,
        signingAlgorithm: rsa,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
      });
      const keyPem = pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
      await db.run('INSERT INTO certificate_authority (slot, key_pem, certificate_pem, created_at) VALUES (1, ?, ?, ?) ON CONFLICT (slot) DO NOTHING', [keyPem, certificate.toString('pem'), Date.now()]);
      row = (await db.get<Row>('SELECT key_pem, certificate_pem FROM certificate_authority WHERE slot = 1'))!;
    }
    const signingKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(row.key_pem), rsa, false, ['sign']);
    return new CertificateAuthority(row.certificate_pem, new x509.X509Certificate(row.certificate_pem), signingKey);
  }

  /** A new key pair and a client certificate for it (AWS's CreateKeysAndCertificate). */
  async createKeysAndCertificate(commonName = 'mote device'): Promise<IssuedKeys> {
    const keys = await generateKeys();
    const certificatePem = await this.sign(keys.publicKey, `CN=${escapeRdn(commonName)}`, 'client', DEVICE_NOT_AFTER);
    return { certificatePem, privateKeyPem: pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') };
  }

  /**
   * A client certificate for the key of a PKCS#10 request, with the request's subject (AWS's
   * CreateCertificateFromCsr). The request's signature must verify: it proves the key's owner made it.
   */
  async signRequest(csrPem: string): Promise<string> {
    let request: x509.Pkcs10CertificateRequest;
    try {
      request = new x509.Pkcs10CertificateRequest(csrPem);
    } catch (error) {
      throw invalid(`not a PEM PKCS#10 certificate signing request: ${(error as Error).message}`);
    }
    let verified: boolean;
    try {
      verified = await request.verify();
    } catch (error) {
      throw invalid(`certificate signing request uses an unsupported key or signature: ${(error as Error).message}`);
    }
    if (!verified) throw invalid('certificate signing request signature does not verify');
    return this.sign(request.publicKey, request.subject || 'CN=mote device', 'client', DEVICE_NOT_AFTER);
  }

  /** A key and server certificate for the broker's TLS listener, naming `hosts` (DNS names or IP addresses). */
  async serverCertificate(hosts: readonly string[]): Promise<IssuedKeys> {
    const keys = await generateKeys();
    const names = hosts.map((host) => ({ type: /^[\d.]+$|:/.test(host) ? ('ip' as const) : ('dns' as const), value: host }));
    const certificatePem = await this.sign(keys.publicKey, `CN=${escapeRdn(hosts[0] ?? 'mote cloud')}`, 'server', new Date(Date.now() + SERVER_DAYS * 86_400_000), names);
    return { certificatePem, privateKeyPem: pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') };
  }

  private async sign(publicKey: x509.PublicKeyType, subject: string, use: 'client' | 'server', notAfter: Date, altNames?: { type: 'ip' | 'dns'; value: string }[]): Promise<string> {
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject,
      issuer: this.certificate.subject,
      notBefore: new Date(Date.now() - 60_000), // a device clock slightly behind still accepts it
      notAfter,
      publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: rsa,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([use === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate.publicKey),
        ...(altNames ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
      ],
    });
    return certificate.toString('pem');
  }
}

/** A value inside a distinguished name, with the characters RFC 4514 reserves escaped. */
const escapeRdn = (value: string) => value.replace(/[,+"\\<>;=]/g, '\\$&');
