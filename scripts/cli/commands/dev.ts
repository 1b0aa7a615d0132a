/**
 * `mote dev [--target espruino|moddable] [--port tty | --virtual] [--cloud-host h] [--baud n] [--http-port n]
 *  [--mqtt-port n] [--data-dir d] [--thing name] [--json]`:
 * the whole loop on one computer. Starts mote cloud (SQLite in `.mote/dev`), registers the thing,
 * builds the example app (firmware/examples/dev-app: an LED following its shadow, a thermometer
 * reporting telemetry), runs it, serves the fleet dashboard and prints its URL with the admin
 * token, then the device's console lines until Ctrl-C stops everything.
 *
 * Where the app runs: on a real board when one is plugged in (an ESP board's USB bridge found by
 * VID:PID, or `--port`) — running Espruino, put there by the Espruino deploy with its settings as a
 * Storage file (app.config); running a Moddable debug build (`--target moddable`), installed as a
 * mod over xsbug with its settings as a preference (app.config) — the cloud listening on the address written into them (`--cloud-host`,
 * else the machine's first non-internal IPv4; 127.0.0.1 for a pseudo-terminal, a virtual board on
 * this machine); otherwise, or with `--virtual`, on a live virtual board (the Espruino host or the
 * XS engine, its settings provisioned in flash, a TMP102 on its I2C bus).
 *
 * The admin token is replaced at each start (the store keeps only hashes, so the old one cannot be
 * shown again), as is the device's token.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SerialPort } from 'serialport';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { addJsonOption, printResult } from '../json.js';
import { packageFile } from '../../lib/paths.js';

interface DevFlags {
  target: string;
  port?: string;
  virtual?: boolean;
  cloudHost?: string;
  baud: string;
  httpPort: string;
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
  /** The real board's serial port; absent on a virtual board. */
  port?: string;
  /** Its USB bridge ("vid:pid"), when known. */
  usb?: string;
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

/** The real board's port, or undefined for a virtual board: --port, else the one ESP board plugged in (Espruino only). */
async function realBoard(flags: DevFlags): Promise<{ path: string; usb?: string } | undefined> {
  if (flags.virtual) {
    if (flags.port !== undefined) throw new UsageError('--virtual and --port exclude each other');
    return undefined;
  }
  const { choosePort } = await import('./flash.js');
  try {
    return await choosePort(flags.port, undefined);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}, or --virtual`); // several boards
    if (error instanceof CliError) return undefined; // none plugged in
    throw error;
  }
}

/** Where a real board reaches this machine's cloud: a pty is a virtual board on this machine; a real one needs a network address. */
function cloudHost(flags: DevFlags, port: string): string {
  if (flags.cloudHost !== undefined) return flags.cloudHost;
  if (port.startsWith('/dev/pts/')) return '127.0.0.1';
  const address = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address;
  if (address === undefined) throw new CliError('this machine has no network address a board could reach (no non-internal IPv4): pass --cloud-host');
  return address;
}

/** A real board's console, opened before anything starts so a wrong port fails at once. */
async function openBoard(portPath: string, baudRate: number): Promise<SerialPort> {
  const { openPort, DeployError } = await import('../../lib/deploy/espruino.js');
  return openPort(portPath, baudRate).catch((error: unknown) => {
    throw error instanceof DeployError ? new CliError(`${portPath}: ${error.message}`) : error;
  });
}

type BoardRunner = (
  port: SerialPort,
  outDir: string,
  settings: string,
  onLine: (line: string) => void,
  log: (value: object, text: string) => void,
  stopping: () => boolean,
) => Promise<void>;

/** Deploy progress by quarters. */
function quarters(log: (value: object, text: string) => void): (sent: number, total: number) => void {
  let quarter = 0;
  return (sent, total) => {
    const now = Math.floor((4 * sent) / total);
    if (now > quarter && now < 4) log({ event: 'deploy-progress', sent, total }, `  ${25 * now}%`);
    quarter = Math.max(quarter, now);
  };
}

function watchClose(port: SerialPort, log: (value: object, text: string) => void, stopping: () => boolean): void {
  port.on('close', () => stopping() || log({ event: 'port-closed', port: port.path }, `${port.path}: the port closed (board unplugged?); the cloud goes on`));
}

/**
 * Puts the built app on a board running Espruino with its settings (Storage file app.config), then
 * streams its console, error positions mapped to the TypeScript sources, until the port closes.
 */
const runOnEspruinoBoard: BoardRunner = async (port, outDir, settings, onLine, log, stopping) => {
  const { deployEspruino, DeployError } = await import('../../lib/deploy/espruino.js');
  const { LineSplitter } = await import('../../lib/esp-serial/lines.js');
  const { decodeTrace } = await import('../../../firmware/build/decode.js');
  const code = readFileSync(path.join(outDir, 'main.js'), 'utf8');
  const map = JSON.parse(readFileSync(path.join(outDir, 'main.js.map'), 'utf8')) as object;
  log({ event: 'deploy', port: port.path, bytes: code.length }, `deploying the app (${code.length} bytes) and its settings to ${port.path}`);
  const result = await deployEspruino({ path: port.path, port, code, files: { 'app.config': settings }, onProgress: quarters(log) }).catch((error: unknown) => {
    throw error instanceof DeployError ? new CliError(`${port.path}: ${error.message}`) : error;
  });
  log({ event: 'deployed', ...result }, `deployed in ${result.ms} ms (${result.chunks} chunks, checked); the board restarts into it`);
  const splitter = new LineSplitter();
  port.on('data', (chunk: Buffer) => {
    for (const line of splitter.push(chunk)) onLine(decodeTrace(line, { byFile: { 'main.js': map } }).text);
  });
  watchClose(port, log, stopping);
};

/**
 * Installs the built app as a mod on a board running a Moddable debug build, its settings set
 * first as a preference (app.config, bytes as the Storage HAL reads them), then streams the lines
 * of the board's xsbug logs until the port closes.
 */
const runOnModdableBoard: BoardRunner = async (port, outDir, settings, onLine, log, stopping) => {
  const { packSourceArchive } = await import('../../lib/xsbug/archive.js');
  const { deployModdable } = await import('../../lib/deploy/moddable.js');
  const { DeployError } = await import('../../lib/deploy/espruino.js');
  const { DeviceStreamDecoder } = await import('../../lib/xsbug/protocol.js');
  const archive = packSourceArchive(outDir, 'dev-app');
  log({ event: 'deploy', port: port.path, bytes: archive.length }, `installing the app (a ${archive.length}-byte mod) and its settings on ${port.path}`);
  const preferences = { 'app.config': new TextEncoder().encode(settings) };
  const result = await deployModdable({ path: port.path, port, archive, preferences, settleMs: 0, onProgress: quarters(log) }).catch((error: unknown) => {
    throw error instanceof DeployError ? new CliError(`${port.path}: ${error.message}`) : error;
  });
  log({ event: 'deployed', ...result }, `installed in ${result.ms} ms (${result.fragments} fragments); the board restarted into it`);
  for (const line of result.log) onLine(line);
  const decoder = new DeviceStreamDecoder((event) => {
    if (event.type === 'log') for (const line of event.text.replace(/\n$/, '').split('\n')) onLine(line);
    else if (event.type === 'line') onLine(event.text);
  });
  port.on('data', (chunk: Buffer) => decoder.push(chunk));
  watchClose(port, log, stopping);
};

async function dev(flags: DevFlags, io: CliIO): Promise<void> {
  if (flags.target !== 'espruino' && flags.target !== 'moddable') throw new UsageError(`--target must be espruino or moddable, got "${flags.target}"`);
  const target = flags.target;
  const httpPort = port(flags.httpPort, '--http-port');
  const mqttPort = port(flags.mqttPort, '--mqtt-port');
  const baudRate = Number(flags.baud);
  if (!Number.isInteger(baudRate) || baudRate <= 0) throw new UsageError(`--baud must be a positive integer, not '${flags.baud}'`);
  const { thingName: thingNameSchema } = await import('../../../cloud/registry/schemas.js');
  if (!thingNameSchema.safeParse(flags.thing).success) throw new UsageError(`--thing: '${flags.thing}' is not a thing name (1-128 letters, digits, ':', '_' or '-')`);
  const real = await realBoard(flags);
  const host = real ? cloudHost(flags, real.path) : '127.0.0.1';
  const boardPort = real && (await openBoard(real.path, baudRate));
  const closeBoard = () => new Promise<void>((resolve) => (boardPort && boardPort.isOpen ? boardPort.close(() => resolve()) : resolve()));
  let stopping = false;
  const log = (value: object, text: string) => io.err(flags.json ? `${JSON.stringify(value)}\n` : `${text}\n`);

  const { startCloud } = await import('../../../cloud/cloud.js');
  const dataDir = path.resolve(flags.dataDir);
  const cloud = await startCloud({
    store: { dataDir }, host, mqttPort, httpPort, wsPort: null, mqttsPort: null,
    onSecurityEvent: (event) => log(event, `cloud: ${event.event}${'reason' in event ? `: ${event.reason}` : ''}`),
    // Presence events of the device's disconnect may fail to publish while the broker closes.
    onError: (error) => stopping || log({ event: 'error', message: error.message }, `cloud: error: ${error.message}`),
  }).catch(async (error: unknown) => {
    await closeBoard();
    throw new CliError(`cannot start the cloud: ${message(error)}`);
  });
  const stops: (() => unknown)[] = [closeBoard, () => cloud.close()];
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const adminToken = cloud.newAdminToken ?? (await cloud.adminToken.rotate());
    if (!(await cloud.registry.things.find(flags.thing))) await cloud.registry.things.create({ thingName: flags.thing, attributes: { app: 'dev-app', board: real ? 'serial' : 'virtual' } });
    const { token } = await cloud.registry.principals.createToken(flags.thing);
    const mqttUrl = cloud.broker.urls.mqtt;
    const settings = JSON.stringify({ thing: flags.thing, host, port: Number(new URL(mqttUrl).port), token });

    const { buildFirmware } = await import('../../../firmware/build/targets.js');
    const outDir = path.join(dataDir, 'build', target);
    await buildFirmware({ target, entry: packageFile('firmware/examples/dev-app/main.ts'), outDir, name: 'dev-app' }).catch((error: unknown) => {
      throw new CliError(`building the dev app failed: ${message(error)}`);
    });

    const http = cloud.api!.url;
    const session: DevSession = {
      dashboard: `${http}/dashboard/#token=${encodeURIComponent(adminToken)}`, adminToken, thingName: flags.thing, target,
      ...(real && { port: real.path, ...(real.usb !== undefined && { usb: real.usb }) }),
      mqtt: mqttUrl, http, build: outDir, store: path.join(dataDir, 'mote-cloud.sqlite'),
    };
    const onLine = (line: string) => log({ event: 'device', thingName: flags.thing, line }, `${flags.thing} | ${line}`);
    const board = { i2c: [thermometer()] };
    if (boardPort) {
      const runOnBoard = target === 'moddable' ? runOnModdableBoard : runOnEspruinoBoard;
      await runOnBoard(boardPort, outDir, settings, onLine, log, () => stopping);
    } else if (target === 'espruino') {
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
        `mote dev: ${s.thingName} runs the dev app (${s.target}) on ${s.port ? `the board at ${s.port}${s.usb ? ` (${s.usb})` : ''}` : 'a virtual board'}`,
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
        .description('run mote cloud, the fleet dashboard and the example app on a board plugged in (Espruino) or a virtual one, together')
        .option('--target <target>', 'the engine the app runs on: espruino or moddable (a real Moddable board takes it as a mod over xsbug)', 'espruino')
        .option('--port <tty>', "a real board's serial port (default: the one ESP board found by its USB bridge, else a virtual board)")
        .option('--virtual', 'run on a virtual board even when a board is plugged in')
        .option('--cloud-host <host>', "the address a real board reaches this machine's cloud at, which the cloud listens on (default: the first non-internal IPv4; 127.0.0.1 for a pseudo-terminal)")
        .option('--baud <n>', "baud rate of the real board's console", '115200')
        .option('--http-port <n>', 'HTTP port of the API and the dashboard (0 picks a free one)', '8080')
        .option('--mqtt-port <n>', 'MQTT port the device connects to (0 picks a free one)', '0')
        .option('--data-dir <dir>', "the cloud's store and the app's build", '.mote/dev')
        .option('--thing <name>', 'the thing the board is', 'dev-1'),
    ).action((flags: DevFlags) => dev(flags, io));
  },
};
