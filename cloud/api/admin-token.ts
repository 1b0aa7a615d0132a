/**
 * The HTTP API's admin token (`mote-admin.<secret>`, sent as `Authorization: Bearer <token>`):
 * created at the cloud's first start and shown once; the store keeps only its hash. `rotate`
 * replaces it, and the old one stops working at once.
 */
import { hashSecret, newSecret, secretMatches } from '../secrets.js';
import type { Database } from '../store/database.js';

const PREFIX = 'mote-admin.';

export class AdminToken {
  constructor(private readonly db: Database) {}

  /** Creates the token if the store has none and returns it (to print once); undefined if one exists. */
  async ensure(): Promise<string | undefined> {
    const secret = newSecret();
    const { changes } = await this.db.run('INSERT INTO admin_token (slot, secret_hash, created_at) VALUES (1, ?, ?) ON CONFLICT (slot) DO NOTHING', [hashSecret(secret), Date.now()]);
    return changes === 1 ? PREFIX + secret : undefined;
  }

  /** Issues a new token, replacing the current one (if any). */
  async rotate(): Promise<string> {
    const secret = newSecret();
    await this.db.run(
      'INSERT INTO admin_token (slot, secret_hash, created_at) VALUES (1, ?, ?) ON CONFLICT (slot) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at',
      [hashSecret(secret), Date.now()],
    );
    return PREFIX + secret;
  }

  async verify(token: string): Promise<boolean> {
    if (!token.startsWith(PREFIX)) return false;
    const row = await this.db.get<{ secret_hash: string }>('SELECT secret_hash FROM admin_token WHERE slot = 1');
    return row !== undefined && secretMatches(row.secret_hash, token.slice(PREFIX.length));
  }
}
