/**
 * The embedded MQTT broker: aedes (MQTT 3.1.1 and 5 where aedes supports it) on plain TCP,
 * WebSocket and, when given keys, mutual TLS; its hooks backed by the registry and policies
 * (authorizer.ts); presence events (presence.ts); and the in-process message bus the cloud's
 * services plug into.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { topicMatches, type BusHandler, type MessageBus } from '../bus.js';
import type { Policies } from '../policy/policies.js';
import type { Registry } from '../registry/registry.js';
import type { ActivityMeter } from './activity.js';
import { createAuthorizer, type SecurityEvent } from './authorizer.js';
import { trackPresence } from './presence.js';

export interface BrokerOptions {
  registry: Registry;
  policies: Policies;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** MQTT over TCP port; 0 picks a free one (default 1883). */
  mqttPort?: number;
  /** MQTT over WebSocket port, path /mqtt; 0 picks a free one; null disables it (default 8083). */
  wsPort?: number | null;
  /** Mutual TLS: the server's key and certificate and the CA that signs device certificates. */
  tls?: { port: number; key: string; cert: string; ca: string };
  /** Refusals and other security events. */
  onSecurityEvent?: (event: SecurityEvent) => void;
  /** Counts what connections do (Defender's cloud-side metrics). */
  meter?: ActivityMeter;
  /** Failures of background work (presence, services); default: ignored. */
  onError?: (error: Error) => void;
}

export interface Broker {
  bus: MessageBus;
  /** Where it listens, as URLs (mqtt://, ws://, mqtts://). */
  urls: { mqtt: string; ws?: string; mqtts?: string };
  /** Closes the connections of a principal (certificate or token id) that was revoked or deactivated; returns how many. */
  disconnectPrincipal(principal: string, reason: string): number;
  /**
   * An outage, as a broker restarting over a persistent store: stops listening, drops every
   * connection (no DISCONNECT, as a crash would), and listens again on the same ports after
   * `downMs`. Sessions, their subscriptions and queued QoS 1 messages, and retained messages stay.
   */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const host = options.host ?? '127.0.0.1';
  const onError = options.onError ?? (() => undefined);
  const securityLog = options.onSecurityEvent ?? (() => undefined);
  const meter = options.meter;
  const authorizer = createAuthorizer(options.registry, options.policies, securityLog, meter);
  // Payloads published with `to`, by their Buffer (aedes forwards the same object to each subscriber).
  const privateTo = new WeakMap<Buffer, string>();
  const aedes = await Aedes.createBroker({
    ...authorizer.hooks,
    authorizeForward(client, packet) {
      const only = Buffer.isBuffer(packet.payload) ? privateTo.get(packet.payload) : undefined;
      if (only !== undefined && authorizer.identityOf(client)?.sessionId !== only) return null;
      return authorizer.hooks.authorizeForward!(client, packet);
    },
  });

  const subscriptions: { filter: string; handler: BusHandler }[] = [];
  aedes.on('publish', (packet, client: Client | null) => {
    if (packet.topic.startsWith('$SYS/')) return;
    const identity = client ? authorizer.identityOf(client) : undefined;
    const origin = client && identity ? { clientId: client.id, sessionId: identity.sessionId, principal: identity.principal, ...(identity.thing && { thingName: identity.thing.thingName }) } : undefined;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (client && identity) meter?.published(client.id, identity.thing?.thingName, payload.length);
    for (const { filter, handler } of subscriptions) if (topicMatches(filter, packet.topic)) handler(packet.topic, payload, origin);
  });
  const bus: MessageBus = {
    subscribe: (filter, handler) => void subscriptions.push({ filter, handler }),
    publish: (topic, payload, { qos = 0, retain = false, to } = {}) => {
      const bytes = Buffer.from(payload);
      if (to !== undefined) privateTo.set(bytes, to);
      return new Promise((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload: bytes, qos, retain: to === undefined && retain, dup: false }, (error) => (error ? reject(error) : resolve())),
      );
    },
  };
  const closedBy = new WeakMap<Client, string>();
  trackPresence(aedes, bus, options.registry, authorizer.identityOf, onError, (client) => closedBy.get(client));
  if (meter) {
    aedes.on('clientDisconnect', (client) => {
      const identity = authorizer.identityOf(client);
      if (identity) meter.disconnected(client.id, identity.thing?.thingName);
    });
  }
  const disconnectPrincipal = (principal: string, reason: string): number => {
    let closed = 0;
    for (const client of Object.values((aedes as unknown as { clients: Record<string, Client> }).clients)) {
      if (authorizer.identityOf(client)?.principal !== principal) continue;
      securityLog({ event: 'disconnected', clientId: client.id, reason });
      closedBy.set(client, 'AUTH_ERROR');
      client.close();
      closed++;
    }
    return closed;
  };

  const servers: net.Server[] = [];
  const urls: Broker['urls'] = { mqtt: '' };
  try {
    const tcp = net.createServer((socket) => aedes.handle(socket));
    servers.push(tcp);
    urls.mqtt = `mqtt://${host}:${await listen(tcp, options.mqttPort ?? 1883, host)}`;

    if (options.wsPort !== null) {
      const web = http.createServer((_req, res) => res.writeHead(426).end('MQTT over WebSocket: connect to /mqtt\n'));
      const wss = new WebSocketServer({ server: web, path: '/mqtt' });
      wss.on('connection', (socket, req) => aedes.handle(createWebSocketStream(socket), req));
      servers.push(web);
      urls.ws = `ws://${host}:${await listen(web, options.wsPort ?? 8083, host)}/mqtt`;
    }

    if (options.tls) {
      // The certificate check is ours rather than rejectUnauthorized's, which closes the socket
      // without saying why: a client without a certificate the CA signed is logged, then cut off.
      const secure = tls.createServer({ key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca, requestCert: true, rejectUnauthorized: false }, (socket) => {
        if (socket.authorized) return aedes.handle(socket);
        const presented = Object.keys(socket.getPeerCertificate()).length > 0;
        const reason = presented ? `client certificate refused (${String(socket.authorizationError)}): not signed by the cloud's CA` : 'no client certificate';
        securityLog({ event: 'tls-refused', address: socket.remoteAddress ?? '', reason });
        socket.destroy();
      });
      secure.on('tlsClientError', (error, socket) => securityLog({ event: 'tls-refused', address: socket.remoteAddress ?? '', reason: error.message }));
      servers.push(secure);
      urls.mqtts = `mqtts://${host}:${await listen(secure, options.tls.port, host)}`;
    }
  } catch (error) {
    await closeAll(servers, aedes);
    throw error;
  }
  const restart = async (downMs: number): Promise<void> => {
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const client of Object.values((aedes as unknown as { clients: Record<string, Client> }).clients)) client.close();
    await Promise.all(closed);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await Promise.all(servers.map((s, i) => listen(s, ports[i]!, host)));
  };
  return { bus, urls, disconnectPrincipal, restart, close: () => closeAll(servers, aedes) };
}

async function closeAll(servers: net.Server[], aedes: Aedes): Promise<void> {
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  await Promise.all(servers.filter((s) => s.listening).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}
