/**
 * One cloud process: the store, the registry and policies over it, the shadow service, the
 * embedded broker with the services bound to its bus, and the HTTP API. `mote cloud` runs this.
 */
import { AdminToken } from './api/admin-token.js';
import { startApi, type Api } from './api/server.js';
import { startBroker, type Broker, type BrokerOptions } from './broker/broker.js';
import { Policies } from './policy/policies.js';
import { Registry } from './registry/registry.js';
import { bindShadowService } from './shadow/mqtt.js';
import { ShadowService } from './shadow/service.js';
import type { Database } from './store/database.js';
import { openStore, type StoreOptions } from './store/open.js';

export interface CloudOptions extends Omit<BrokerOptions, 'registry' | 'policies'> {
  store: StoreOptions;
  /** HTTP API port; 0 picks a free one; null disables the API (default 8080). */
  httpPort?: number | null;
}

export interface Cloud {
  db: Database;
  registry: Registry;
  policies: Policies;
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
    broker = await startBroker({ ...options, registry, policies });
    bindShadowService(broker.bus, shadows, options.onError ?? (() => undefined));
    if (options.httpPort !== null) {
      api = await startApi({
        services: { registry, policies, shadows, bus: broker.bus },
        adminToken,
        ...(options.host !== undefined && { host: options.host }),
        port: options.httpPort ?? 8080,
        ...(options.onError && { onError: options.onError }),
      });
    }
    const started = broker;
    return {
      db, registry, policies, shadows, broker, adminToken,
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
