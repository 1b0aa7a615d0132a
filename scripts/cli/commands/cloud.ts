/**
 * `mote cloud [start] [--data-dir d] [--postgres url] [--host h] [--mqtt-port n] [--ws-port n] [--json]`:
 * runs the cloud connector (store, registry, policies, shadow service, MQTT broker) until SIGINT
 * or SIGTERM. `mote cloud add-device <thing>` registers a thing (if new) and issues a device token.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { addJsonOption, printResult } from '../json.js';

interface StoreFlags {
  dataDir: string;
  postgres?: string;
}
interface StartFlags extends StoreFlags {
  host: string;
  mqttPort: string;
  wsPort: string;
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
    onSecurityEvent: (event) => line(event, `${event.event}: client ${event.clientId}${'topic' in event ? ` topic ${event.topic}` : ''}${'filter' in event ? ` filter ${event.filter}` : ''}${'reason' in event ? `: ${event.reason}` : ''}`),
    onError: (error) => line({ event: 'error', message: error.message }, `error: ${error.message}`),
  }).catch((error: unknown) => {
    throw failure(error);
  });
  const listening = { ...cloud.broker.urls, store: 'postgresUrl' in store ? 'postgresql' : path.join(store.dataDir, 'mote-cloud.sqlite') };
  printResult(io, flags, listening, (l) => [`mote cloud listening`, `  mqtt  ${l.mqtt}`, `  ws    ${l.ws}`, `  store ${l.store}`, 'press Ctrl-C to stop'].join('\n'));
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await cloud.close();
  line({ event: 'stopped', signal }, `stopped (${signal})`);
}

async function addDevice(thingName: string, flags: StoreFlags & { json?: boolean }, io: CliIO): Promise<void> {
  const { openStore } = await import('../../../cloud/store/open.js');
  const { Registry } = await import('../../../cloud/registry/registry.js');
  const db = await openStore(storeOf(flags)).catch((error: unknown) => {
    throw failure(error);
  });
  try {
    const registry = new Registry(db);
    const created = (await registry.things.find(thingName)) === undefined;
    if (created) await registry.things.create({ thingName });
    const { token, tokenId } = await registry.principals.createToken(thingName);
    printResult(io, flags, { thingName, created, tokenId, token }, (r) =>
      `${r.created ? 'registered' : 'existing'} thing ${r.thingName}; device token (shown once):\n${r.token}\nconnect with client id ${r.thingName}, any user name, and the token as password`,
    );
  } catch (error) {
    throw failure(error);
  } finally {
    await db.close();
  }
}

export const cloudCommand: CommandModule = {
  register(program, { io }) {
    const cloud = program.command('cloud').description('run the cloud connector (MQTT broker, registry, shadows) and administer it');
    addJsonOption(
      storeOptions(cloud.command('start', { isDefault: true }).description('run the cloud until Ctrl-C (the default subcommand)'))
        .option('--host <address>', 'interface to listen on', '127.0.0.1')
        .option('--mqtt-port <port>', 'MQTT over TCP port (0: any free port)', '1883')
        .option('--ws-port <port>', 'MQTT over WebSocket port, path /mqtt (0: any free port)', '8083'),
    ).action((flags: StartFlags) => start(flags, io));
    addJsonOption(
      storeOptions(cloud.command('add-device').description('register a thing (if new) and issue it a device token').argument('<thing>', 'thing name')),
    ).action((thing: string, flags: StoreFlags & { json?: boolean }) => addDevice(thing, flags, io));
  },
};
