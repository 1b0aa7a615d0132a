/** Stored policies and their attachments to principals (certificate ids and device token ids). */
import { alreadyExists, invalid, notFound } from '../errors.js';
import { parseInput } from '../registry/parse.js';
import type { Database, Queryable } from '../store/database.js';
import { policyDocument, policyName, type PolicyDocument } from './document.js';

export interface Policy {
  policyName: string;
  policyDocument: PolicyDocument;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  name: string;
  document: string;
  created_at: number;
  updated_at: number;
}

const toPolicy = (row: Row): Policy => ({ policyName: row.name, policyDocument: JSON.parse(row.document) as PolicyDocument, createdAt: row.created_at, updatedAt: row.updated_at });

export class Policies {
  constructor(private readonly db: Database) {}

  /** `document` may be the JSON text or the parsed object; it is validated and stored normalised. */
  async create(name: string, document: unknown, tx: Queryable = this.db): Promise<Policy> {
    parseInput(policyName, name);
    if (typeof document === 'string') {
      try {
        document = JSON.parse(document);
      } catch (error) {
        throw invalid(`policy document is not valid JSON: ${(error as Error).message}`);
      }
    }
    const parsed = parseInput(policyDocument, document);
    const now = Date.now();
    const { changes } = await tx.run('INSERT INTO policies (name, document, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING', [name, JSON.stringify(parsed), now, now]);
    if (changes === 0) throw alreadyExists(`policy ${name}`);
    return { policyName: name, policyDocument: parsed, createdAt: now, updatedAt: now };
  }

  async get(name: string, tx: Queryable = this.db): Promise<Policy> {
    const row = await tx.get<Row>('SELECT * FROM policies WHERE name = ?', [name]);
    if (row === undefined) throw notFound(`policy ${name}`);
    return toPolicy(row);
  }

  async list(): Promise<Policy[]> {
    return (await this.db.all<Row>('SELECT * FROM policies ORDER BY name')).map(toPolicy);
  }

  async delete(name: string): Promise<void> {
    const { changes } = await this.db.run('DELETE FROM policies WHERE name = ?', [name]);
    if (changes === 0) throw notFound(`policy ${name}`);
  }

  async attach(name: string, principal: string, tx: Queryable = this.db): Promise<void> {
    await this.get(name, tx);
    await tx.run('INSERT INTO policy_targets (policy_name, target) VALUES (?, ?) ON CONFLICT DO NOTHING', [name, principal]);
  }

  async detach(name: string, principal: string): Promise<void> {
    const { changes } = await this.db.run('DELETE FROM policy_targets WHERE policy_name = ? AND target = ?', [name, principal]);
    if (changes === 0) throw notFound(`attachment of policy ${name} to ${principal}`);
  }

  /** The principals a policy is attached to. */
  async targets(name: string): Promise<string[]> {
    await this.get(name);
    return (await this.db.all<{ target: string }>('SELECT target FROM policy_targets WHERE policy_name = ? ORDER BY target', [name])).map((r) => r.target);
  }

  /** The documents attached to a principal (empty: the default policy applies). */
  async documentsFor(principal: string): Promise<PolicyDocument[]> {
    const rows = await this.db.all<Row>('SELECT p.* FROM policies p JOIN policy_targets t ON t.policy_name = p.name WHERE t.target = ? ORDER BY p.name', [principal]);
    return rows.map((r) => toPolicy(r).policyDocument);
  }
}
