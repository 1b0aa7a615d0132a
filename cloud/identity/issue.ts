/**
 * Device certificates from the built-in CA, registered in the registry in the same step (and
 * attached to a thing when one is named), in one transaction: a failure leaves no certificate
 * behind that nobody holds the key of.
 */
import type { Certificate, CertificateStatus } from '../registry/principals.js';
import type { Registry } from '../registry/registry.js';
import type { Database } from '../store/database.js';
import type { CertificateAuthority } from './ca.js';

export interface IssueRequest {
  /** Sign this PKCS#10 request (the device keeps its key); without it a key pair is made too. */
  csrPem?: string;
  status: CertificateStatus;
  /** Attach the certificate to this thing. */
  thingName?: string;
}

export interface Issued {
  certificate: Certificate;
  /** The private key, when the CA made it: handed over once, never stored. */
  privateKeyPem?: string;
}

export async function issueCertificate(db: Database, registry: Registry, ca: CertificateAuthority, request: IssueRequest): Promise<Issued> {
  const thingName = request.thingName;
  if (thingName !== undefined) await registry.things.describe(thingName); // before the CA's work: 404 fast
  const made = request.csrPem !== undefined ? { certificatePem: await ca.signRequest(request.csrPem) } : await ca.createKeysAndCertificate(thingName);
  const certificate = await db.transaction(async (tx) => {
    const registered = await registry.principals.registerCertificate(made.certificatePem, request.status, tx);
    if (thingName !== undefined) await registry.principals.attach(thingName, registered.certificateId, tx);
    return registered;
  });
  return { certificate, ...('privateKeyPem' in made && { privateKeyPem: made.privateKeyPem }) };
}
