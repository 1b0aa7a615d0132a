/**
 * `mote cloud [start] [--data-dir d] [--postgres url] [--host h] [--mqtt-port n] [--ws-port n] [--mqtts-port n] [--http-port n] [--json]`:
 * runs the cloud connector (store, registry, policies, shadow service, MQTT broker, HTTP API)
 * until SIGINT or SIGTERM; the first start prints the API's admin token, once.
 * `mote cloud add-device <thing> [--cert dir [--csr file]]` registers a thing (if new) and issues a
 * device token or a certificate;
 * `mote cloud add-template <name> <file> [--enable]` and `mote cloud claim-certificate <template> --cert dir`
 * set up fleet provisioning; `mote cloud worker --broker url [--partition i/n]` runs services on an
 * external broker; `mote cloud admin-token` replaces the API's admin token.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import type { Database } from '../../../cloud/store/database.js';
import { addJsonOption, printResult } from '../json.js';

interface StoreFlags {
  dataDir: string;
  postgres?: string;
}
interface StartFlags extends StoreFlags {
  host: string;
  mqttPort: string;
  wsPort: string;
  mqttsPort: string;
  httpPort: string;
  json?: boolean;
}

const storeOptions = (command: Command) =>
  command
    .option('--data-dir <dir>', 'folder of the embedded SQLite store', 'mote-cloud-data')
    .option('--postgres <url>', 'use this PostgreSQL database instead of SQLite (postgres://user@host:port/db)');

const storeOf = (flags: StoreFlags) => (flags.postgres ? { postgresUrl: flags.postgres } : { dataDir: path.resolve(flags.dataDir) });

function port(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${option} must be a port number (0-65535), not '${value}'`);
  return n;
}

const failure = (error: unknown) => new CliError(error instanceof Error ? error.message : String(error));

async function start(flags: StartFlags, io: CliIO): Promise<void> {
  const { startCloud } = await import('../../../cloud/cloud.js');
  const line = (value: object, text: string) => io.err(flags.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
  const store = storeOf(flags);
  const cloud = await startCloud({
    store,
    host: flags.host,
    mqttPort: port(flags.mqttPort, '--mqtt-port'),
    wsPort: port(flags.wsPort, '--ws-port'),
    mqttsPort: port(flags.mqttsPort, '--mqtts-port'),
    httpPort: port(flags.httpPort, '--http-port'),
    onSecurityEvent: (event) =>
      line(event, `${event.event}: ${'clientId' in event ? `client ${event.clientId}` : `from ${event.address}`}${'topic' in event ? ` topic ${event.topic}` : ''}${'filter' in event ? ` filter ${event.filter}` : ''}${'reason' in event ? `: ${event.reason}` : ''}`),
    onError: (error) => line({ event: 'error', message: error.message }, `error: ${error.message}`),
  }).catch((error: unknown) => {
    throw failure(error);
  });
  const listening = {
    ...cloud.broker.urls,
    http: cloud.api!.url,
    openapi: `${cloud.api!.url}/openapi.json`,
    store: 'postgresUrl' in store ? 'postgresql' : path.join(store.dataDir, 'mote-cloud.sqlite'),
    ...(cloud.newAdminToken !== undefined && { adminToken: cloud.newAdminToken }),
  };
  printResult(io, flags, listening, (l) =>
    [
      'mote cloud listening',
      `  mqtt  ${l.mqtt}`,
      `  ws    ${l.ws}`,
      `  mqtts ${l.mqtts} (client certificates from the built-in CA)`,
      `  http  ${l.http} (OpenAPI at /openapi.json)`,
      `  store ${l.store}`,
      ...(l.adminToken ? [`HTTP API admin token (shown once; mote cloud admin-token makes a new one):`, `  ${l.adminToken}`] : []),
      'press Ctrl-C to stop',
    ].join('\n'),
  );
  const signal = await stopSignal();
  await cloud.close();
  line({ event: 'stopped', signal }, `stopped (${signal})`);
}

const stopSignal = () =>
  new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

interface WorkerFlags extends StoreFlags {
  broker: string;
  group: string;
  partition?: string;
  username?: string;
  password?: string;
  cert?: string;
  key?: string;
  ca?: string;
  json?: boolean;
}

/** `i/n`: this worker's partition of things, for brokers that cannot share $-topics. */
function partitionFlag(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const partition = match && { index: Number(match[1]), count: Number(match[2]) };
  if (!partition || partition.index >= partition.count) throw new UsageError(`--partition must be i/n with 0 <= i < n (e.g. 0/2), not '${value}'`);
  return partition;
}

async function worker(flags: WorkerFlags, io: CliIO): Promise<void> {
  const partition = flags.partition !== undefined ? partitionFlag(flags.partition) : undefined;
  const { startWorker } = await import('../../../cloud/scaleout/worker.js');
  const line = (value: object, text: string) => io.err(flags.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
  const running = await startWorker({
    store: storeOf(flags),
    broker: {
      url: flags.broker,
      group: flags.group,
      ...(partition && { partition }),
      client: {
        ...(flags.username !== undefined && { username: flags.username }),
        ...(flags.password !== undefined && { password: flags.password }),
        ...(flags.cert !== undefined && { cert: readText(flags.cert, '--cert') }),
        ...(flags.key !== undefined && { key: readText(flags.key, '--key') }),
        ...(flags.ca !== undefined && { ca: readText(flags.ca, '--ca') }),
        connectTimeout: 10_000,
      },
    },
    onError: (error) => line({ event: 'error', message: error.message }, `error: ${error.message}`),
  }).catch((error: unknown) => {
    throw failure(error);
  });
  const status = { broker: flags.broker, group: flags.group, ...(partition && { partition: `${partition.index}/${partition.count}` }), services: ['shadow', 'telemetry'] };
  printResult(io, flags, status, (s) => `mote cloud worker on ${s.broker}, group ${s.group}${s.partition ? `, partition ${s.partition}` : ''}: ${s.services.join(', ')}\npress Ctrl-C to stop`);
  const signal = await stopSignal();
  await running.close();
  line({ event: 'stopped', signal }, `stopped (${signal})`);
}

/** Runs `work` on the store the flags name, closing it afterwards; failures become CliErrors. */
async function withStore<T>(flags: StoreFlags, work: (db: Database) => Promise<T>): Promise<T> {
  const { openStore } = await import('../../../cloud/store/open.js');
  const db = await openStore(storeOf(flags)).catch((error: unknown) => {
    throw failure(error);
  });
  try {
    return await work(db);
  } catch (error) {
    throw failure(error);
  } finally {
    await db.close();
  }
}

interface AddDeviceFlags extends StoreFlags {
  cert?: string;
  csr?: string;
  json?: boolean;
}

/** Registers the thing if new, then issues it a device token, or with --cert a certificate from the built-in CA. */
async function addDevice(thingName: string, flags: AddDeviceFlags, io: CliIO): Promise<void> {
  if (flags.csr !== undefined && flags.cert === undefined) throw new UsageError('--csr needs --cert <dir> (where to write the certificate)');
  const csrPem = flags.csr !== undefined ? readText(flags.csr, '--csr') : undefined;
  const { Registry } = await import('../../../cloud/registry/registry.js');
  const result = await withStore(flags, async (db) => {
    const registry = new Registry(db);
    const created = (await registry.things.find(thingName)) === undefined;
    if (created) await registry.things.create({ thingName });
    if (flags.cert === undefined) {
      const { token, tokenId } = await registry.principals.createToken(thingName);
      return { thingName, created, tokenId, token };
    }
    const { CertificateAuthority } = await import('../../../cloud/identity/ca.js');
    const { issueCertificate } = await import('../../../cloud/identity/issue.js');
    const ca = await CertificateAuthority.open(db);
    const issued = await issueCertificate(db, registry, ca, { status: 'ACTIVE', thingName, ...(csrPem !== undefined && { csrPem }) });
    return { thingName, created, certificateId: issued.certificate.certificateId, files: writeCertificateFiles(flags.cert, thingName, issued.certificate.certificatePem, issued.privateKeyPem, ca.certificatePem) };
  });
  printResult(io, flags, result, (r) => {
    const head = `${r.created ? 'registered' : 'existing'} thing ${r.thingName}`;
    if ('token' in r) return `${head}; device token (shown once):\n${r.token}\nconnect with client id ${r.thingName}, any user name, and the token as password`;
    return [`${head}; certificate ${r.certificateId} (ACTIVE, attached)`, ...Object.values(r.files).map((f) => `  wrote ${f}`), `connect over mqtts with client id ${r.thingName}, this certificate and key, trusting the CA`].join('\n');
  });
}

function readText(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${option}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** `<thing>.cert.pem`, `<thing>.private.key` (owner-only; absent when the device made its key) and `ca.pem` in `dir`. */
function writeCertificateFiles(dir: string, thingName: string, certificatePem: string, privateKeyPem: string | undefined, caPem: string) {
  mkdirSync(dir, { recursive: true });
  const files = { certificate: path.join(dir, `${thingName}.cert.pem`), ...(privateKeyPem !== undefined && { privateKey: path.join(dir, `${thingName}.private.key`) }), ca: path.join(dir, 'ca.pem') };
  writeFileSync(files.certificate, certificatePem);
  if (files.privateKey !== undefined) writeFileSync(files.privateKey, privateKeyPem!, { mode: 0o600 });
  writeFileSync(files.ca, caPem);
  return files;
}

async function addTemplate(name: string, file: string, flags: StoreFlags & { enable?: boolean; description?: string; json?: boolean }, io: CliIO): Promise<void> {
  const templateBody = readText(file, '<file>');
  const { ProvisioningTemplates } = await import('../../../cloud/provisioning/templates.js');
  const template = await withStore(flags, (db) =>
    new ProvisioningTemplates(db).create({ templateName: name, templateBody, enabled: flags.enable === true, ...(flags.description !== undefined && { description: flags.description }) }),
  );
  printResult(io, flags, template, (t) => `provisioning template ${t.templateName} created, ${t.enabled ? 'enabled' : 'disabled (--enable, or PATCH enabled over the API)'}`);
}

async function claimCertificate(template: string, flags: StoreFlags & { cert: string; json?: boolean }, io: CliIO): Promise<void> {
  const { Registry } = await import('../../../cloud/registry/registry.js');
  const { Policies } = await import('../../../cloud/policy/policies.js');
  const { CertificateAuthority } = await import('../../../cloud/identity/ca.js');
  const { ProvisioningTemplates } = await import('../../../cloud/provisioning/templates.js');
  const { ProvisioningService } = await import('../../../cloud/provisioning/service.js');
  const result = await withStore(flags, async (db) => {
    const ca = await CertificateAuthority.open(db);
    const claim = await new ProvisioningService(db, new Registry(db), new Policies(db), ca, new ProvisioningTemplates(db)).createClaimCertificate(template);
    return { certificateId: claim.certificateId, policyName: claim.policyName, files: writeCertificateFiles(flags.cert, `${template}-claim`, claim.certificatePem, claim.privateKeyPem, ca.certificatePem) };
  });
  printResult(io, flags, result, (r) => [`claim certificate ${r.certificateId} for template ${template} (policy ${r.policyName})`, ...Object.values(r.files).map((f) => `  wrote ${f}`)].join('\n'));
}

async function rotateAdminToken(flags: StoreFlags & { json?: boolean }, io: CliIO): Promise<void> {
  const { AdminToken } = await import('../../../cloud/api/admin-token.js');
  const adminToken = await withStore(flags, (db) => new AdminToken(db).rotate());
  printResult(io, flags, { adminToken }, (r) => `new HTTP API admin token (shown once; the previous one no longer works):\n${r.adminToken}`);
}

export const cloudCommand: CommandModule = {
  register(program, { io }) {
    const cloud = program.command('cloud').description('run the cloud connector (MQTT broker, HTTP API, registry, shadows) and administer it');
    addJsonOption(
      storeOptions(cloud.command('start', { isDefault: true }).description('run the cloud until Ctrl-C (the default subcommand)'))
        .option('--host <address>', 'interface to listen on', '127.0.0.1')
        .option('--mqtt-port <port>', 'MQTT over TCP port (0: any free port)', '1883')
        .option('--ws-port <port>', 'MQTT over WebSocket port, path /mqtt (0: any free port)', '8083')
        .option('--mqtts-port <port>', 'MQTT over mutual TLS port, device certificates from the built-in CA (0: any free port)', '8883')
        .option('--http-port <port>', 'HTTP API port (0: any free port)', '8080'),
    ).action((flags: StartFlags) => start(flags, io));
    addJsonOption(
      storeOptions(cloud.command('add-device').description('register a thing (if new) and issue it a device token, or a certificate with --cert').argument('<thing>', 'thing name'))
        .option('--cert <dir>', "issue an X.509 client certificate from the cloud's CA instead, writing <thing>.cert.pem, <thing>.private.key and ca.pem here")
        .option('--csr <file>', 'with --cert: sign this PKCS#10 request (the device keeps its key) instead of making a key'),
    ).action((thing: string, flags: AddDeviceFlags) => addDevice(thing, flags, io));
    addJsonOption(
      storeOptions(cloud.command('add-template').description('create a fleet provisioning template from a JSON file (AWS template form)').argument('<name>', 'template name').argument('<file>', 'template body (JSON)'))
        .option('--enable', 'enable it now (templates are created disabled, as AWS)')
        .option('--description <text>', 'description'),
    ).action((name: string, file: string, flags: StoreFlags & { enable?: boolean; description?: string; json?: boolean }) => addTemplate(name, file, flags, io));
    addJsonOption(
      storeOptions(cloud.command('claim-certificate').description("issue a claim certificate for a template: devices built with it provision themselves").argument('<template>', 'template name'))
        .requiredOption('--cert <dir>', 'write <template>-claim.cert.pem, <template>-claim.private.key and ca.pem here'),
    ).action((template: string, flags: StoreFlags & { cert: string; json?: boolean }) => claimCertificate(template, flags, io));
    addJsonOption(
      storeOptions(cloud.command('worker').description('run the shadow service and telemetry storage as a client of an external MQTT broker (scale-out; use --postgres)'))
        .requiredOption('--broker <url>', 'the broker: mqtt://, mqtts://, ws:// or wss://')
        .option('--group <name>', 'shared-subscription group of the workers', 'mote')
        .option('--partition <i/n>', "this worker's share of things, for brokers that do not share $-topics (Mosquitto)")
        .option('--username <name>', 'user name at the broker')
        .option('--password <secret>', 'password at the broker')
        .option('--cert <file>', 'client certificate (PEM) for an mqtts:// broker that asks for one')
        .option('--key <file>', "that certificate's private key (PEM)")
        .option('--ca <file>', "CA certificate (PEM) to trust for the broker's certificate"),
    ).action((flags: WorkerFlags) => worker(flags, io));
    addJsonOption(storeOptions(cloud.command('admin-token').description("replace the HTTP API's admin token and print the new one"))).action(
      (flags: StoreFlags & { json?: boolean }) => rotateAdminToken(flags, io),
    );
  },
};
