/**
 * Connectivity state per client id, as AWS's fleet indexing reports it: connected or not, since
 * when, and why it disconnected. Each connection has a session id; a disconnect only counts for
 * the session that is current, so the late disconnect of a connection that a newer one with the
 * same client id replaced does not mark the client offline.
 */
import type { Database } from '../store/database.js';

export interface Connectivity {
  clientId: string;
  thingName?: string;
  connected: boolean;
  /** Epoch ms of the last connect or disconnect. */
  timestamp: number;
  disconnectReason?: string;
}

interface Row {
  client_id: string;
  thing_name: string | null;
  connected: number;
  changed_at: number;
  disconnect_reason: string | null;
}

const toConnectivity = (row: Row): Connectivity => ({
  clientId: row.client_id,
  ...(row.thing_name !== null && { thingName: row.thing_name }),
  connected: row.connected === 1,
  timestamp: row.changed_at,
  ...(row.disconnect_reason !== null && { disconnectReason: row.disconnect_reason }),
});

export class ConnectivityLog {
  constructor(private readonly db: Database) {}

  async connected(clientId: string, sessionId: string, thingName: string | undefined, at = Date.now()): Promise<void> {
    await this.db.run(
      'INSERT INTO connectivity (client_id, thing_name, session_id, connected, changed_at, disconnect_reason) VALUES (?, ?, ?, 1, ?, NULL) ' +
        'ON CONFLICT (client_id) DO UPDATE SET thing_name = excluded.thing_name, session_id = excluded.session_id, connected = 1, changed_at = excluded.changed_at, disconnect_reason = NULL',
      [clientId, thingName ?? null, sessionId, at],
    );
  }

  /** Returns false when `sessionId` is no longer the client's current session (nothing recorded). */
  async disconnected(clientId: string, sessionId: string, reason: string, at = Date.now()): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE connectivity SET connected = 0, changed_at = ?, disconnect_reason = ? WHERE client_id = ? AND session_id = ?', [at, reason, clientId, sessionId]);
    return changes === 1;
  }

  async ofClient(clientId: string): Promise<Connectivity | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM connectivity WHERE client_id = ?', [clientId]);
    return row && toConnectivity(row);
  }

  async ofThing(thingName: string): Promise<Connectivity | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM connectivity WHERE thing_name = ? ORDER BY changed_at DESC', [thingName]);
    return row && toConnectivity(row);
  }

  /** Marks every client offline: a cloud process starting after a crash knows no connection survived it. */
  async resetAll(reason: string, at = Date.now()): Promise<void> {
    await this.db.run('UPDATE connectivity SET connected = 0, changed_at = ?, disconnect_reason = ? WHERE connected = 1', [at, reason]);
  }
}
