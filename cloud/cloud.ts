/**
 * One cloud process: the store, the registry and policies over it, the certificate authority,
 * the shadow service, the embedded broker (TCP, WebSocket, mutual TLS) with the services bound
 * to its bus, and the HTTP API. `mote cloud` runs this.
 */
import { AdminToken } from './api/admin-token.js';
import { startApi, type Api } from './api/server.js';
import { startBroker, type Broker, type BrokerOptions } from './broker/broker.js';
import { CertificateAuthority } from './identity/ca.js';
import { Policies } from './policy/policies.js';
import { Registry } from './registry/registry.js';
import { bindShadowService } from './shadow/mqtt.js';
import { ShadowService } from './shadow/service.js';
import type { Database } from './store/database.js';
import { openStore, type StoreOptions } from './store/open.js';

export interface CloudOptions extends Omit<BrokerOptions, 'registry' | 'policies' | 'tls'> {
  store: StoreOptions;
  /** MQTT over mutual TLS port (client certificates from the built-in CA); 0 picks a free one; null disables it (default 8883). */
  mqttsPort?: number | null;
  /** HTTP API port; 0 picks a free one; null disables the API (default 8080). */
  httpPort?: number | null;
}

export interface Cloud {
  db: Database;
  registry: Registry;
  policies: Policies;
  ca: CertificateAuthority;
  shadows: ShadowService;
  broker: Broker;
  api?: Api;
  adminToken: AdminToken;
  /** The API's admin token if this start created it (the store had none): show it once. */
  newAdminToken?: string;
  close(): Promise<void>;
}

export async function startCloud(options: CloudOptions): Promise<Cloud> {
  const db = await openStore(options.store);
  const registry = new Registry(db);
  const policies = new Policies(db);
  const shadows = new ShadowService(db, { thingExists: async (name) => (await registry.things.find(name)) !== undefined });
  const adminToken = new AdminToken(db);
  let broker: Broker | undefined;
  let api: Api | undefined;
  try {
    // Embedded: this process is the only broker, so no connection survived its last run.
    if (!('postgresUrl' in options.store)) await registry.connectivity.resetAll('SERVER_INITIATED_DISCONNECT');
    const newAdminToken = await adminToken.ensure();
    const ca = await CertificateAuthority.open(db);
    const host = options.host ?? '127.0.0.1';
    let tls: BrokerOptions['tls'];
    if (options.mqttsPort !== null) {
      const server = await ca.serverCertificate([...new Set([host, 'localhost', '127.0.0.1'])]);
      tls = { port: options.mqttsPort ?? 8883, key: server.privateKeyPem, cert: server.certificatePem, ca: ca.certificatePem };
    }
    broker = await startBroker({ ...options, registry, policies, ...(tls && { tls }) });
    bindShadowService(broker.bus, shadows, options.onError ?? (() => undefined));
    if (options.httpPort !== null) {
      api = await startApi({
        services: { db, registry, policies, ca, shadows, bus: broker.bus },
        adminToken,
        ...(options.host !== undefined && { host: options.host }),
        port: options.httpPort ?? 8080,
        ...(options.onError && { onError: options.onError }),
      });
    }
    const started = broker;
    return {
      db, registry, policies, ca, shadows, broker, adminToken,
      ...(api && { api }),
      ...(newAdminToken !== undefined && { newAdminToken }),
      async close() {
        await api?.close();
        await started.close();
        await db.close();
      },
    };
  } catch (error) {
    await broker?.close();
    await db.close();
    throw error;
  }
}
