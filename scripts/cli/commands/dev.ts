/**
 * `mote dev [--target espruino|moddable] [--port n] [--mqtt-port n] [--data-dir d] [--thing name] [--json]`:
 * the whole loop on one computer. Starts mote cloud (SQLite in `.mote/dev`), registers the thing,
 * builds the example app (firmware/examples/dev-app: an LED following its shadow, a thermometer
 * reporting telemetry), runs it on a live virtual board (the Espruino host or the XS engine, its
 * settings provisioned in flash, a TMP102 on its I2C bus), serves the fleet dashboard and prints
 * its URL with the admin token, then the device's console lines until Ctrl-C stops everything.
 *
 * The admin token is replaced at each start (the store keeps only hashes, so the old one cannot be
 * shown again), as is the device's token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { addJsonOption, printResult } from '../json.js';
import { packageFile } from '../../lib/paths.js';

interface DevFlags {
  target: string;
  port: string;
  mqttPort: string;
  dataDir: string;
  thing: string;
  json?: boolean;
}

/** What a running dev session shows. */
export interface DevSession {
  dashboard: string;
  adminToken: string;
  thingName: string;
  target: 'espruino' | 'moddable';
  mqtt: string;
  http: string;
  build: string;
  store: string;
}

const TMP102 = 0x48;

/** The virtual board's thermometer: a 5-minute swing of ±3 °C around 21 °C, in 5 s steps for three hours. */
function thermometer(): { kind: 'tmp102'; address: number; celsius: { at: number; value: number }[] } {
  const celsius = [];
  for (let at = 0; at <= 3 * 3600_000; at += 5_000) celsius.push({ at, value: Math.round((21 + 3 * Math.sin((2 * Math.PI * at) / 300_000)) * 16) / 16 });
  return { kind: 'tmp102', address: TMP102, celsius };
}

function port(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${option} must be a port number (0-65535), not '${value}'`);
  return n;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function dev(flags: DevFlags, io: CliIO): Promise<void> {
  if (flags.target !== 'espruino' && flags.target !== 'moddable') throw new UsageError(`--target must be espruino or moddable, got "${flags.target}"`);
  const target = flags.target;
  const httpPort = port(flags.port, '--port');
  const mqttPort = port(flags.mqttPort, '--mqtt-port');
  const { thingName: thingNameSchema } = await import('../../../cloud/registry/schemas.js');
  if (!thingNameSchema.safeParse(flags.thing).success) throw new UsageError(`--thing: '${flags.thing}' is not a thing name (1-128 letters, digits, ':', '_' or '-')`);
  let stopping = false;
  const log = (value: object, text: string) => io.err(flags.json ? `${JSON.stringify(value)}\n` : `${text}\n`);

  const { startCloud } = await import('../../../cloud/cloud.js');
  const dataDir = path.resolve(flags.dataDir);
  const cloud = await startCloud({
    store: { dataDir }, mqttPort, httpPort, wsPort: null, mqttsPort: null,
    onSecurityEvent: (event) => log(event, `cloud: ${event.event}${'reason' in event ? `: ${event.reason}` : ''}`),
    // Presence events of the device's disconnect may fail to publish while the broker closes.
    onError: (error) => stopping || log({ event: 'error', message: error.message }, `cloud: error: ${error.message}`),
  }).catch((error: unknown) => {
    throw new CliError(`cannot start the cloud: ${message(error)}`);
  });
  const stops: (() => unknown)[] = [() => cloud.close()];
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const adminToken = cloud.newAdminToken ?? (await cloud.adminToken.rotate());
    if (!(await cloud.registry.things.find(flags.thing))) await cloud.registry.things.create({ thingName: flags.thing, attributes: { app: 'dev-app', board: 'virtual' } });
    const { token } = await cloud.registry.principals.createToken(flags.thing);
    const mqttUrl = cloud.broker.urls.mqtt;
    const settings = JSON.stringify({ thing: flags.thing, host: '127.0.0.1', port: Number(new URL(mqttUrl).port), token });

    const { buildFirmware } = await import('../../../firmware/build/targets.js');
    const outDir = path.join(dataDir, 'build', target);
    await buildFirmware({ target, entry: packageFile('firmware/examples/dev-app/main.ts'), outDir, name: 'dev-app' }).catch((error: unknown) => {
      throw new CliError(`building the dev app failed: ${message(error)}`);
    });

    const http = cloud.api!.url;
    const session: DevSession = {
      dashboard: `${http}/dashboard/#token=${encodeURIComponent(adminToken)}`, adminToken, thingName: flags.thing, target,
      mqtt: mqttUrl, http, build: outDir, store: path.join(dataDir, 'mote-cloud.sqlite'),
    };
    const onLine = (line: string) => log({ event: 'device', thingName: flags.thing, line }, `${flags.thing} | ${line}`);
    const board = { i2c: [thermometer()] };
    if (target === 'espruino') {
      const { EspruinoDevice } = await import('../../../firmware/host/espruino/device.js');
      const device = new EspruinoDevice({ board, storage: { 'app.config': settings }, onLine });
      stops.push(() => device.stop());
      device.load(readFileSync(path.join(outDir, 'main.js'), 'utf8'), readFileSync(path.join(outDir, 'main.js.map'), 'utf8'));
    } else {
      const { XsDevice } = await import('../../../firmware/host/xs/live-device.js');
      const device = await XsDevice.start(outDir, { board, flash: { 'app.config': settings }, onLine });
      stops.push(() => device.stop());
    }

    printResult(io, flags, session, (s) =>
      [
        `mote dev: ${s.thingName} runs the dev app (${s.target}) on a virtual board`,
        `  dashboard  ${s.dashboard}`,
        `  http api   ${s.http} (admin token ${s.adminToken})`,
        `  mqtt       ${s.mqtt}`,
        `  store      ${s.store}`,
        'press Ctrl-C to stop; the device prints:',
      ].join('\n'),
    );
  } catch (error) {
    await stopAll();
    if (error instanceof CliError || error instanceof UsageError) throw error;
    throw new CliError(message(error));
  }
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await stopAll();
  log({ event: 'stopped', signal }, `stopped (${signal})`);
}

export const devCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('dev')
        .description('run mote cloud, the fleet dashboard and the example app on a virtual board, together')
        .option('--target <target>', 'the engine the virtual board runs: espruino or moddable', 'espruino')
        .option('--port <n>', 'HTTP port of the API and the dashboard (0 picks a free one)', '8080')
        .option('--mqtt-port <n>', 'MQTT port the device connects to (0 picks a free one)', '0')
        .option('--data-dir <dir>', "the cloud's store and the app's build", '.mote/dev')
        .option('--thing <name>', 'the thing the virtual board is', 'dev-1'),
    ).action((flags: DevFlags) => dev(flags, io));
  },
};
