/**
 * One cloud process: the store, the registry and policies over it, the certificate authority,
 * the shadow service, the embedded broker (TCP, WebSocket, mutual TLS) with the services bound
 * to its bus (shadow, provisioning, telemetry, rules, jobs and their rollout clock, OTA streams),
 * the telemetry store, and the HTTP API with the fleet dashboard. `mote cloud` runs this.
 */
import { AdminToken } from './api/admin-token.js';
import { startApi, type Api } from './api/server.js';
import { dashboard } from './dashboard/serve.js';
import { Defender, type DefenderOptions } from './defender/defender.js';
import { startBroker, type Broker, type BrokerOptions } from './broker/broker.js';
import type { Clock } from './events/clock.js';
import { EventsService } from './events/service.js';
import { CertificateAuthority } from './identity/ca.js';
import { bindJobsService } from './jobs/mqtt.js';
import { JobsService } from './jobs/service.js';
import { OtaFiles } from './ota/files.js';
import { OtaService } from './ota/service.js';
import { bindStreams } from './ota/stream.js';
import { Policies } from './policy/policies.js';
import { bindProvisioning } from './provisioning/mqtt.js';
import { ProvisioningService } from './provisioning/service.js';
import { ProvisioningTemplates } from './provisioning/templates.js';
import { Registry } from './registry/registry.js';
import { RulesEngine } from './rules/engine.js';
import { bindShadowService } from './shadow/mqtt.js';
import { ShadowService } from './shadow/service.js';
import type { Database } from './store/database.js';
import { openStore, type StoreOptions } from './store/open.js';
import { TelemetryRetention } from './telemetry/retention.js';
import { TelemetryStore } from './telemetry/store.js';

export interface CloudOptions extends Omit<BrokerOptions, 'registry' | 'policies' | 'tls'> {
  store: StoreOptions;
  /** MQTT over mutual TLS port (client certificates from the built-in CA); 0 picks a free one; null disables it (default 8883). */
  mqttsPort?: number | null;
  /** HTTP API port; 0 picks a free one; null disables the API (default 8080). */
  httpPort?: number | null;
  /** Device Defender's clock (tests move it by hand). */
  defender?: DefenderOptions;
  /** The clock event detectors' timers run on (tests move it by hand). */
  eventsClock?: Clock;
}

export interface Cloud {
  db: Database;
  registry: Registry;
  policies: Policies;
  ca: CertificateAuthority;
  shadows: ShadowService;
  templates: ProvisioningTemplates;
  provisioning: ProvisioningService;
  telemetry: TelemetryStore;
  rules: RulesEngine;
  events: EventsService;
  jobs: JobsService;
  ota: OtaService;
  defender: Defender;
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
  const templates = new ProvisioningTemplates(db);
  const telemetry = new TelemetryStore(db);
  const defender = new Defender(db, policies, options.defender);
  let broker: Broker | undefined;
  let api: Api | undefined;
  let stopEvents: (() => Promise<void>) | undefined;
  try {
    // Embedded: this process is the only broker, so no connection survived its last run.
    if (!('postgresUrl' in options.store)) await registry.connectivity.resetAll('SERVER_INITIATED_DISCONNECT');
    const newAdminToken = await adminToken.ensure();
    await defender.load();
    const ca = await CertificateAuthority.open(db);
    const host = options.host ?? '127.0.0.1';
    let tls: BrokerOptions['tls'];
    if (options.mqttsPort !== null) {
      const server = await ca.serverCertificate([...new Set([host, 'localhost', '127.0.0.1'])]);
      tls = { port: options.mqttsPort ?? 8883, key: server.privateKeyPem, cert: server.certificatePem, ca: ca.certificatePem };
    }
    broker = await startBroker({
      ...options, registry, policies, ...(tls && { tls }), meter: defender.cloudMetrics,
      onSecurityEvent: (event) => {
        defender.onSecurityEvent(event);
        options.onSecurityEvent?.(event);
      },
    });
    const provisioning = new ProvisioningService(db, registry, policies, ca, templates, { ...(options.onError && { onError: options.onError }) });
    bindProvisioning(broker.bus, provisioning, options.onError ?? (() => undefined));
    const onError = options.onError ?? (() => undefined);
    defender.bind(broker.bus, onError);
    bindShadowService(broker.bus, shadows, onError);
    telemetry.bind(broker.bus, onError);
    const jobs = new JobsService(db, registry, broker.bus, { onError });
    bindJobsService(broker.bus, jobs.device, onError);
    const ota = new OtaService(new OtaFiles(db), jobs);
    bindStreams(broker.bus, ota.files, onError);
    const events = await EventsService.start(db, { bus: broker.bus, shadows }, { onError, ...(options.eventsClock && { clock: options.eventsClock }) });
    stopEvents = () => events.close();
    const rules = await RulesEngine.start(db, broker.bus, {
      telemetry, onError, sendToInput: (input, message) => events.sendInput(input, message),
      getThingShadow: async (thingName, shadowName) => {
        const outcome = await shadows.get({ thingName, ...(shadowName !== undefined && { shadowName }) });
        return outcome.accepted ? outcome.response : undefined;
      },
    });
    if (options.httpPort !== null) {
      api = await startApi({
        services: { db, registry, policies, ca, shadows, templates, provisioning, bus: broker.bus, disconnect: broker.disconnectPrincipal, telemetry, rules, events, jobs, ota, defender },
        adminToken,
        extensions: [dashboard({ bus: broker.bus, registry, telemetry, adminToken, onError })],
        ...(options.host !== undefined && { host: options.host }),
        port: options.httpPort ?? 8080,
        ...(options.onError && { onError: options.onError }),
      });
    }
    const stopJobs = jobs.start();
    const stopRetention = new TelemetryRetention(db).every(3_600_000, onError);
    const started = broker;
    return {
      db, registry, policies, ca, shadows, templates, provisioning, telemetry, rules, events, jobs, ota, defender, broker, adminToken,
      ...(api && { api }),
      ...(newAdminToken !== undefined && { newAdminToken }),
      async close() {
        await api?.close();
        await stopJobs();
        await started.close();
        await rules.idle();
        await events.close();
        await defender.stop();
        await stopRetention();
        await db.close();
      },
    };
  } catch (error) {
    await stopEvents?.();
    await defender.stop();
    await broker?.close();
    await db.close();
    throw error;
  }
}
