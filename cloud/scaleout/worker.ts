/**
 * A cloud worker for scale-out: the services that answer devices (the Device Shadow service,
 * telemetry storage), as MQTT clients of an external broker with shared subscriptions, over the
 * shared store (PostgreSQL). Start as many as the load needs; the broker spreads requests over
 * them, and the store's optimistic writes keep concurrent updates of one shadow from being lost.
 *
 * Device authentication and policies are then the external broker's (mote's policies are
 * enforced by its embedded broker only); fleet provisioning, which must answer on the asking
 * connection, needs the embedded broker.
 */
import { Registry } from '../registry/registry.js';
import { bindShadowService } from '../shadow/mqtt.js';
import { ShadowService } from '../shadow/service.js';
import type { Database } from '../store/database.js';
import { openStore, type StoreOptions } from '../store/open.js';
import { TelemetryStore } from '../telemetry/store.js';
import { connectExternalBus, type ExternalBus, type ExternalBusOptions } from './external-bus.js';

export interface WorkerOptions {
  store: StoreOptions;
  broker: ExternalBusOptions;
  onError?: (error: Error) => void;
}

export interface Worker {
  db: Database;
  registry: Registry;
  bus: ExternalBus;
  close(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const onError = options.onError ?? (() => undefined);
  const db = await openStore(options.store);
  let bus: ExternalBus;
  try {
    bus = await connectExternalBus(options.broker);
  } catch (error) {
    await db.close();
    throw error;
  }
  const registry = new Registry(db);
  const shadows = new ShadowService(db, { thingExists: async (name) => (await registry.things.find(name)) !== undefined });
  bindShadowService(bus, shadows, onError);
  new TelemetryStore(db).bind(bus, onError);
  await bus.ready();
  return {
    db, registry, bus,
    async close() {
      await bus.close();
      await db.close();
    },
  };
}
