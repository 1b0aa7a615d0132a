/**
 * Lifecycle events and connectivity state: on every accepted connection and every disconnect,
 * record the connectivity in the registry and publish AWS's presence event on
 * `$aws/events/presence/{connected|disconnected}/{clientId}`.
 */
import type { Aedes, Client } from 'aedes';
import type { MessageBus } from '../bus.js';
import type { Registry } from '../registry/registry.js';
import type { ConnectionIdentity } from './identity.js';

/** `closedBy`: why the cloud closed a connection itself (AWS's disconnect reason), if it did. */
export function trackPresence(
  aedes: Aedes,
  bus: MessageBus,
  registry: Registry,
  identityOf: (client: Client) => ConnectionIdentity | undefined,
  onError: (error: Error) => void,
  closedBy: (client: Client) => string | undefined = () => undefined,
): void {
  let versionNumber = 0;
  const base = (client: Client, identity: ConnectionIdentity) => ({
    clientId: client.id,
    timestamp: Date.now(),
    sessionIdentifier: identity.sessionId,
    principalIdentifier: identity.principal,
    ipAddress: (client.conn as { remoteAddress?: string }).remoteAddress ?? '',
    versionNumber: ++versionNumber,
  });

  aedes.on('clientReady', (client) => {
    const identity = identityOf(client);
    if (identity === undefined) return;
    const event = { ...base(client, identity), eventType: 'connected' };
    registry.connectivity
      .connected(client.id, identity.sessionId, identity.thing?.thingName, event.timestamp)
      .then(() => bus.publish(`$aws/events/presence/connected/${client.id}`, JSON.stringify(event)))
      .catch(onError);
  });

  aedes.on('clientDisconnect', (client) => {
    const identity = identityOf(client);
    if (identity === undefined) return;
    const clientInitiatedDisconnect = (client as unknown as { _disconnected?: boolean })._disconnected === true;
    const current = (aedes as unknown as { clients: Record<string, Client> }).clients[client.id];
    const disconnectReason = closedBy(client) ?? (clientInitiatedDisconnect ? 'CLIENT_INITIATED_DISCONNECT' : current !== undefined && current !== client ? 'DUPLICATE_CLIENTID' : 'CONNECTION_LOST');
    const event = { ...base(client, identity), eventType: 'disconnected', clientInitiatedDisconnect, disconnectReason };
    registry.connectivity
      .disconnected(client.id, identity.sessionId, disconnectReason, event.timestamp)
      // While the broker shuts down (its last clients dropping) there is no one left to tell.
      .then(() => ((aedes as unknown as { closed?: boolean }).closed ? undefined : bus.publish(`$aws/events/presence/disconnected/${client.id}`, JSON.stringify(event))))
      .catch(onError);
  });
}
