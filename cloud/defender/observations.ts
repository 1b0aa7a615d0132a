/**
 * What Defender's audit learns from the broker rather than the registry: which client ids each
 * principal connected as (presence events on the bus), and the connection attempts the broker
 * refused because the certificate is REVOKED (its security log). Kept in memory since this
 * process started, bounded per principal.
 */
import type { MessageBus } from '../bus.js';
import type { SecurityEvent } from '../broker/authorizer.js';

/** Most client ids remembered per principal: enough to prove sharing, bounded against a flood. */
const MAX_CLIENTS_PER_PRINCIPAL = 32;

export interface RevokedAttempts {
  attempts: number;
  clientIds: string[];
  lastAttempt: number;
}

// The refusal identify() logs for a certificate that is not ACTIVE (broker/identity.ts).
const REVOKED_REFUSAL = /^certificate ([0-9a-f]{64}) is REVOKED$/;

export class SecurityObservations {
  /** principal -> client id -> epoch ms of its last connect. */
  private readonly connections = new Map<string, Map<string, number>>();
  private readonly revoked = new Map<string, RevokedAttempts>();

  /** Records every accepted connection's principal from the presence events. */
  watch(bus: MessageBus): void {
    bus.subscribe('$aws/events/presence/connected/+', (_topic, payload, origin) => {
      if (origin !== undefined) return; // only the cloud publishes presence events
      try {
        const event = JSON.parse(payload.toString('utf8')) as { clientId?: unknown; principalIdentifier?: unknown; timestamp?: unknown };
        if (typeof event.clientId === 'string' && typeof event.principalIdentifier === 'string') {
          this.connected(event.principalIdentifier, event.clientId, typeof event.timestamp === 'number' ? event.timestamp : Date.now());
        }
      } catch {
        // Not ours to judge: the cloud wrote it.
      }
    });
  }

  connected(principal: string, clientId: string, at = Date.now()): void {
    const clients = this.connections.get(principal) ?? new Map<string, number>();
    this.connections.set(principal, clients);
    if (!clients.has(clientId) && clients.size >= MAX_CLIENTS_PER_PRINCIPAL) return;
    clients.set(clientId, at);
  }

  /** Feed the broker's security log through this. */
  record(event: SecurityEvent, at = Date.now()): void {
    if (event.event !== 'connect-refused') return;
    const certificateId = REVOKED_REFUSAL.exec(event.reason)?.[1];
    if (certificateId === undefined) return;
    const seen = this.revoked.get(certificateId) ?? { attempts: 0, clientIds: [], lastAttempt: at };
    seen.attempts++;
    seen.lastAttempt = at;
    if (!seen.clientIds.includes(event.clientId) && seen.clientIds.length < MAX_CLIENTS_PER_PRINCIPAL) seen.clientIds.push(event.clientId);
    this.revoked.set(certificateId, seen);
  }

  /** Principals that connected as more than one client id, with those ids sorted. */
  sharedPrincipals(): { principal: string; clientIds: string[] }[] {
    return [...this.connections]
      .filter(([, clients]) => clients.size > 1)
      .map(([principal, clients]) => ({ principal, clientIds: [...clients.keys()].sort() }))
      .sort((a, b) => a.principal.localeCompare(b.principal));
  }

  revokedAttempts(): Map<string, RevokedAttempts> {
    return this.revoked;
  }
}
