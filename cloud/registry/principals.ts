/**
 * Principals: the identities devices connect with, and the things they are attached to.
 * - X.509 certificates (mutual TLS), identified as AWS does by the SHA-256 fingerprint of the
 *   DER form (64 hex digits), with status ACTIVE, INACTIVE or REVOKED.
 * - Device tokens for development: `<tokenId>.<secret>`, given once at creation; the store
 *   keeps only the secret's SHA-256 (secrets.ts).
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import type { Database, Queryable } from '../store/database.js';
import { CloudError, invalid, notFound } from '../errors.js';
import { hashSecret, newSecret, secretMatches } from '../secrets.js';

/** PENDING_ACTIVATION: made by fleet provisioning, until RegisterThing sets it as its template says. */
export type CertificateStatus = 'ACTIVE' | 'INACTIVE' | 'REVOKED' | 'PENDING_ACTIVATION';
export const certificateStatuses: readonly CertificateStatus[] = ['ACTIVE', 'INACTIVE', 'REVOKED', 'PENDING_ACTIVATION'];

export interface Certificate {
  certificateId: string;
  certificatePem: string;
  status: CertificateStatus;
  subject: string;
  validTo: string;
  createdAt: number;
  updatedAt: number;
}

export interface DeviceToken {
  tokenId: string;
  status: 'ACTIVE' | 'REVOKED';
  createdAt: number;
}

interface CertificateRow {
  id: string;
  pem: string;
  status: CertificateStatus;
  created_at: number;
  updated_at: number;
}

/** The AWS-style certificate id of a PEM certificate; throws InvalidRequestException if it does not parse. */
export function certificateIdOf(pem: string): string {
  return createHash('sha256').update(parseCertificate(pem).raw).digest('hex');
}

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw invalid(`not a PEM X.509 certificate: ${(error as Error).message}`);
  }
}

const toCertificate = (row: CertificateRow): Certificate => {
  const x509 = new X509Certificate(row.pem);
  return { certificateId: row.id, certificatePem: row.pem, status: row.status, subject: x509.subject, validTo: x509.validTo, createdAt: row.created_at, updatedAt: row.updated_at };
};

export class Principals {
  constructor(private readonly db: Database) {}

  async registerCertificate(pem: string, status: CertificateStatus = 'ACTIVE', tx: Queryable = this.db): Promise<Certificate> {
    const id = certificateIdOf(pem);
    const now = Date.now();
    const { changes } = await tx.run('INSERT INTO certificates (id, pem, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING', [id, pem, status, now, now]);
    if (changes === 0) throw new CloudError('ResourceAlreadyExistsException', `certificate ${id} is already registered`);
    return toCertificate({ id, pem, status, created_at: now, updated_at: now });
  }

  async describeCertificate(certificateId: string): Promise<Certificate> {
    const row = await this.db.get<CertificateRow>('SELECT * FROM certificates WHERE id = ?', [certificateId]);
    if (row === undefined) throw notFound(`certificate ${certificateId}`);
    return toCertificate(row);
  }

  async listCertificates(): Promise<Certificate[]> {
    return (await this.db.all<CertificateRow>('SELECT * FROM certificates ORDER BY created_at, id')).map(toCertificate);
  }

  async setCertificateStatus(certificateId: string, status: CertificateStatus, tx: Queryable = this.db): Promise<void> {
    if (!certificateStatuses.includes(status)) throw invalid(`certificate status must be one of ${certificateStatuses.join(', ')}`);
    const { changes } = await tx.run('UPDATE certificates SET status = ?, updated_at = ? WHERE id = ?', [status, Date.now(), certificateId]);
    if (changes === 0) throw notFound(`certificate ${certificateId}`);
  }

  /** As AWS: only a certificate that is not ACTIVE and is attached to no thing can be deleted. */
  async deleteCertificate(certificateId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await tx.get<CertificateRow>('SELECT * FROM certificates WHERE id = ?', [certificateId]);
      if (row === undefined) throw notFound(`certificate ${certificateId}`);
      if (row.status === 'ACTIVE') throw new CloudError('DeleteConflictException', `certificate ${certificateId} is ACTIVE: deactivate or revoke it first`);
      const thing = await tx.get<{ thing_name: string }>('SELECT thing_name FROM thing_principals WHERE principal = ?', [certificateId]);
      if (thing) throw new CloudError('DeleteConflictException', `certificate ${certificateId} is attached to thing ${thing.thing_name}`);
      await tx.run('DELETE FROM certificates WHERE id = ?', [certificateId]);
    });
  }

  /** The certificate's status, or undefined if the id is unknown (the broker's check). */
  async certificateStatus(certificateId: string): Promise<CertificateStatus | undefined> {
    return (await this.db.get<{ status: CertificateStatus }>('SELECT status FROM certificates WHERE id = ?', [certificateId]))?.status;
  }

  /** Issues a device token attached to `thingName`; the returned `token` is shown once. */
  async createToken(thingName: string): Promise<DeviceToken & { token: string; thingName: string }> {
    const tokenId = `tok-${randomBytes(8).toString('hex')}`;
    const secret = newSecret();
    const now = Date.now();
    await this.db.transaction(async (tx) => {
      if (!(await tx.get('SELECT name FROM things WHERE name = ?', [thingName]))) throw notFound(`thing ${thingName}`);
      await tx.run('INSERT INTO device_tokens (id, secret_hash, status, created_at) VALUES (?, ?, ?, ?)', [tokenId, hashSecret(secret), 'ACTIVE', now]);
      await tx.run('INSERT INTO thing_principals (thing_name, principal) VALUES (?, ?)', [thingName, tokenId]);
    });
    return { tokenId, token: `${tokenId}.${secret}`, thingName, status: 'ACTIVE', createdAt: now };
  }

  async revokeToken(tokenId: string): Promise<void> {
    const { changes } = await this.db.run("UPDATE device_tokens SET status = 'REVOKED' WHERE id = ?", [tokenId]);
    if (changes === 0) throw notFound(`device token ${tokenId}`);
  }

  async listTokens(): Promise<DeviceToken[]> {
    const rows = await this.db.all<{ id: string; status: 'ACTIVE' | 'REVOKED'; created_at: number }>('SELECT id, status, created_at FROM device_tokens ORDER BY created_at, id');
    return rows.map((r) => ({ tokenId: r.id, status: r.status, createdAt: r.created_at }));
  }

  /**
   * Checks a token presented at connect. Returns its id when it is known, ACTIVE and its secret
   * matches; otherwise the reason it is refused.
   */
  async verifyToken(token: string): Promise<{ tokenId: string } | { refused: 'malformed' | 'unknown' | 'revoked' | 'wrong secret' }> {
    const dot = token.indexOf('.');
    if (dot <= 0) return { refused: 'malformed' };
    const tokenId = token.slice(0, dot);
    const row = await this.db.get<{ secret_hash: string; status: string }>('SELECT secret_hash, status FROM device_tokens WHERE id = ?', [tokenId]);
    if (row === undefined) return { refused: 'unknown' };
    if (!secretMatches(row.secret_hash, token.slice(dot + 1))) return { refused: 'wrong secret' };
    if (row.status !== 'ACTIVE') return { refused: 'revoked' };
    return { tokenId };
  }

  async attach(thingName: string, principal: string, tx: Queryable = this.db): Promise<void> {
    if (!(await tx.get('SELECT name FROM things WHERE name = ?', [thingName]))) throw notFound(`thing ${thingName}`);
    if (!(await this.exists(principal, tx))) throw notFound(`principal ${principal}`);
    await tx.run('INSERT INTO thing_principals (thing_name, principal) VALUES (?, ?) ON CONFLICT DO NOTHING', [thingName, principal]);
  }

  /** Whether `principal` is a registered certificate id or device token id. */
  async exists(principal: string, tx: Queryable = this.db): Promise<boolean> {
    return ((await tx.get('SELECT id FROM certificates WHERE id = ?', [principal])) ?? (await tx.get('SELECT id FROM device_tokens WHERE id = ?', [principal]))) !== undefined;
  }

  async detach(thingName: string, principal: string): Promise<void> {
    const { changes } = await this.db.run('DELETE FROM thing_principals WHERE thing_name = ? AND principal = ?', [thingName, principal]);
    if (changes === 0) throw notFound(`attachment of ${principal} to thing ${thingName}`);
  }

  async principalsOf(thingName: string): Promise<string[]> {
    return (await this.db.all<{ principal: string }>('SELECT principal FROM thing_principals WHERE thing_name = ? ORDER BY principal', [thingName])).map((r) => r.principal);
  }

  async thingsOf(principal: string): Promise<string[]> {
    return (await this.db.all<{ thing_name: string }>('SELECT thing_name FROM thing_principals WHERE principal = ? ORDER BY thing_name', [principal])).map((r) => r.thing_name);
  }
}
