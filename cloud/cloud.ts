/**
 * One cloud process: the store, the registry and policies over it, the shadow service, and the
 * embedded broker with the services bound to its bus. `mote cloud` runs this.
 */
import { startBroker, type Broker, type BrokerOptions } from './broker/broker.js';
import { Policies } from './policy/policies.js';
import { Registry } from './registry/registry.js';
import { bindShadowService } from './shadow/mqtt.js';
import { ShadowService } from './shadow/service.js';
import type { Database } from './store/database.js';
import { openStore, type StoreOptions } from './store/open.js';

export interface CloudOptions extends Omit<BrokerOptions, 'registry' | 'policies'> {
  store: StoreOptions;
}

export interface Cloud {
  db: Database;
  registry: Registry;
  policies: Policies;
  shadows: ShadowService;
  broker: Broker;
  close(): Promise<void>;
}

export async function startCloud(options: CloudOptions): Promise<Cloud> {
  const db = await openStore(options.store);
  const registry = new Registry(db);
  const policies = new Policies(db);
  const shadows = new ShadowService(db, { thingExists: async (name) => (await registry.things.find(name)) !== undefined });
  // Embedded: this process is the only broker, so no connection survived its last run.
  if (!('postgresUrl' in options.store)) await registry.connectivity.resetAll('SERVER_INITIATED_DISCONNECT');
  let broker: Broker;
  try {
    broker = await startBroker({ ...options, registry, policies });
  } catch (error) {
    await db.close();
    throw error;
  }
  bindShadowService(broker.bus, shadows, options.onError ?? (() => undefined));
  return {
    db, registry, policies, shadows, broker,
    async close() {
      await broker.close();
      await db.close();
    },
  };
}
