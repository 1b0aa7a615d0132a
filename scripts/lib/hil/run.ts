/**
 * Runs HIL suites on virtual boards: each suite's devices are built once per target, then the
 * suite runs (its boards together, with a mote cloud when it asks for one) until every device has
 * reported its end frame, a link fault shows, or the suite's timeout passes. A link fault (corrupt
 * or lost frame) reruns the suite, up to `retries` times; a failing test never does. Host-side.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCloud, type Cloud } from '../../../cloud/cloud.js';
import { buildFirmware } from '../../../firmware/build/targets.js';
import { actions, type ActionContext } from './actions.js';
import { appImage } from './images.js';
import { DeviceRecorder, type Signal, type SuiteResult, type TestResult } from './results.js';
import type { HilTarget, Suite } from './suites.js';
import { type BoardStart, startVirtualBoard, type VirtualBoard } from './virtual.js';

export interface HilRunOptions {
  suites: readonly Suite[];
  targets: readonly HilTarget[];
  /** Where builds go (default: a new temporary folder). */
  workDir?: string;
  /** Reruns of a suite after a link fault (default 1). */
  retries?: number;
  /** Starts a device's board (default: a virtual board in this process; serial.ts: boards behind serial ports). */
  startBoard?: (start: BoardStart) => Promise<VirtualBoard>;
  /** The address the suites' cloud listens on, written into the devices' settings (default 127.0.0.1): one the boards can reach. */
  cloudHost?: string;
  /** Each suite's result as it ends. */
  onSuite?: (result: SuiteResult) => void;
  /**
   * Every console line passes through this before it is read (fault injection: tests use it to
   * corrupt a frame the way a noisy serial link would). Default: unchanged.
   */
  linkFilter?: (line: string, where: { suite: string; target: HilTarget; device: string; attempt: number }) => string;
}

/** Runs every suite on every target it supports among `targets`, one after another. */
export async function runHil(options: HilRunOptions): Promise<SuiteResult[]> {
  const workDir = options.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'mote-hil-'));
  const results: SuiteResult[] = [];
  for (const suite of options.suites) {
    for (const target of options.targets.filter((t) => suite.targets.includes(t))) {
      const result = await runSuite(suite, target, workDir, options);
      results.push(result);
      options.onSuite?.(result);
    }
  }
  return results;
}

async function runSuite(suite: Suite, target: HilTarget, workDir: string, options: HilRunOptions): Promise<SuiteResult> {
  const started = performance.now();
  const base = { suite: suite.name, target, tests: [], logs: {}, attempts: 0 };
  const outDirs: Record<string, string> = {};
  for (const device of suite.devices) {
    const outDir = path.join(workDir, suite.name, target, device.name);
    try {
      await buildFirmware({ target, entry: device.entry, outDir, name: `hil-${suite.name}`, cwd: suite.dir });
    } catch (error) {
      return { ...base, status: 'error', error: `build of ${device.name} failed: ${(error as Error).message}`, ms: Math.round(performance.now() - started) };
    }
    outDirs[device.name] = outDir;
  }
  const images: Record<string, Buffer> = {};
  for (const [image, entry] of Object.entries(suite.images)) {
    const outDir = path.join(workDir, suite.name, target, 'images', image);
    try {
      await buildFirmware({ target, entry, outDir, name: `hil-${suite.name}-${image}`, cwd: suite.dir });
      images[image] = await appImage(target, outDir, path.basename(entry, '.ts'));
    } catch (error) {
      return { ...base, status: 'error', error: `build of image ${image} failed: ${(error as Error).message}`, ms: Math.round(performance.now() - started) };
    }
  }
  const retries = options.retries ?? 1;
  let outcome: Attempt;
  let attempts = 0;
  do {
    attempts++;
    outcome = await attempt(suite, target, outDirs, attempts, options, images);
  } while (outcome.linkFault !== undefined && attempts <= retries);

  const tests = outcome.recorders.flatMap((r) => r.tests);
  const logs = Object.fromEntries(outcome.recorders.map((r) => [r.device, r.log]));
  const error = outcome.linkFault !== undefined ? `link fault (after ${attempts} attempt${attempts > 1 ? 's' : ''}): ${outcome.linkFault}` : outcome.error;
  const status = error !== undefined ? 'error' : tests.some((t) => t.status === 'failed') ? 'failed' : 'passed';
  return { suite: suite.name, target, status, ...(error !== undefined && { error }), ms: Math.round(performance.now() - started), attempts, tests, logs };
}

interface Attempt {
  recorders: DeviceRecorder[];
  linkFault?: string;
  error?: string;
}

/** The things, tokens and flash settings of the suite's devices in a fresh in-memory cloud. */
async function provision(suite: Suite, cloud: Cloud): Promise<Record<string, { thing: string; config: string }>> {
  const mqtt = new URL(cloud.broker.urls.mqtt);
  const [host, port] = [mqtt.hostname, Number(mqtt.port)];
  const things = Object.fromEntries(suite.devices.map((d) => [d.name, `hil-${suite.name}-${d.name}`]));
  if (suite.devices.length > 1) {
    // Devices of one suite talk to each other under hil/…, beside their own topics.
    await cloud.policies.create('hil-devices', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iot:Connect'], Resource: ['client/${iot:Connection.Thing.ThingName}'] },
        {
          Effect: 'Allow',
          Action: ['iot:Publish', 'iot:Receive'],
          Resource: ['topic/$aws/things/${iot:Connection.Thing.ThingName}/*', 'topic/things/${iot:Connection.Thing.ThingName}/*', 'topic/hil/*'],
        },
        {
          Effect: 'Allow',
          Action: ['iot:Subscribe'],
          Resource: ['topicfilter/$aws/things/${iot:Connection.Thing.ThingName}/*', 'topicfilter/things/${iot:Connection.Thing.ThingName}/*', 'topicfilter/hil/*'],
        },
      ],
    });
  }
  const settings: Record<string, { thing: string; config: string }> = {};
  for (const device of suite.devices) {
    const thing = things[device.name]!;
    await cloud.registry.things.create({ thingName: thing });
    const { token, tokenId } = await cloud.registry.principals.createToken(thing);
    if (suite.devices.length > 1) await cloud.policies.attach('hil-devices', tokenId);
    settings[device.name] = { thing, config: JSON.stringify({ thing, host, port, token, device: device.name, peers: things }) };
  }
  return settings;
}

async function attempt(suite: Suite, target: HilTarget, outDirs: Record<string, string>, attemptNo: number, options: HilRunOptions, images: Record<string, Buffer>): Promise<Attempt> {
  const boards: VirtualBoard[] = [];
  const pending: Promise<void>[] = [];
  let cloud: Cloud | undefined;
  let wake: () => void = () => undefined;
  const recorders = suite.devices.map((device) => {
    const recorder: DeviceRecorder = new DeviceRecorder(device.name, (signal, test) => pending.push(act(signal, test, recorder, device.name)));
    return recorder;
  });
  let settings: Record<string, { thing: string; config: string }> = {};
  /** What the cloud's bus carried under things/, by topic: what actions check arrivals against. */
  const heard = new Map<string, Buffer[]>();

  const act = async (signal: Signal, test: TestResult | undefined, recorder: DeviceRecorder, device: string): Promise<void> => {
    const action = actions[signal.name];
    const context: ActionContext = { cloud, thing: settings[device]?.thing ?? device, heard: (topic) => heard.get(topic) ?? [], log: (line) => recorder.log.push(line), images };
    try {
      if (!action) throw new Error(`host: unknown signal "${signal.name}" (known: ${Object.keys(actions).join(', ')})`);
      await action(context, signal.data);
    } catch (error) {
      const message = (error as Error).message;
      if (test) recorder.hostFailure(test, message);
      else recorder.log.push(`(host) ${message}`);
    }
  };

  try {
    if (suite.cloud) {
      cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: null, ...(options.cloudHost !== undefined && { host: options.cloudHost }) });
      settings = await provision(suite, cloud);
      cloud.broker.bus.subscribe('things/#', (topic, payload) => {
        if (!heard.has(topic)) heard.set(topic, []);
        heard.get(topic)!.push(payload);
      });
    }
    // Everything waits on the device consoles: each line wakes the waiters, as does the deadline.
    const deadline = Date.now() + suite.timeoutMs;
    const waiters: (() => void)[] = [];
    wake = () => {
      for (const waiter of waiters.splice(0)) waiter();
    };
    const deadlineTimer = setTimeout(wake, suite.timeoutMs);
    const faulty = () => recorders.some((r) => r.linkFault !== undefined);
    /** Per device: the line its host printed when it stopped the device. */
    const halted: (string | undefined)[] = [];
    /** Resolves true once `condition` holds, false at the deadline or a link fault. */
    const until = (condition: () => boolean) =>
      new Promise<boolean>((resolve) => {
        const check = () => {
          if (condition()) resolve(true);
          else if (faulty() || Date.now() >= deadline) resolve(false);
          else waiters.push(check);
        };
        check();
      });
    /** One device through its boots: each boot after the first starts from the flash the last one left. */
    const runDevice = async (index: number) => {
      const device = suite.devices[index]!;
      const recorder = recorders[index]!;
      const where = { suite: suite.name, target, device: device.name, attempt: attemptNo };
      let flash: Record<string, string> = settings[device.name] ? { 'hil.config': settings[device.name]!.config } : {};
      for (let boot = 1; ; boot++) {
        const board = await (options.startBoard ?? startVirtualBoard)({
          target,
          index,
          boot,
          outDir: outDirs[device.name]!,
          entryName: path.basename(device.entry, '.ts'),
          board: device.board,
          flash,
          onLine: (line) => {
            recorder.line(options.linkFilter ? options.linkFilter(line, where) : line);
            wake();
          },
          onHalt: (line) => {
            halted[index] = line;
            wake();
          },
        });
        boards.push(board);
        if (!(await until(() => recorder.ended || halted[index] !== undefined)) || halted[index] !== undefined || boot >= suite.boots) return;
        flash = await board.flash();
        await board.stop();
        recorder.restarted();
      }
    };
    try {
      await Promise.all(suite.devices.map((_, i) => runDevice(i)));
      await until(() => recorders.every((r, i) => r.ended || halted[i] !== undefined));
    } finally {
      clearTimeout(deadlineTimer);
    }
    await Promise.allSettled(pending);
    const linkFault = recorders.find((r) => r.linkFault !== undefined)?.linkFault;
    if (linkFault !== undefined) return { recorders, linkFault };
    const unfinished = recorders.filter((r) => !r.ended);
    const error = unfinished.length > 0 ? unfinished.map((r) => stalled(r, suite.timeoutMs, halted[recorders.indexOf(r)])).join('; ') : undefined;
    return error === undefined ? { recorders } : { recorders, error };
  } catch (error) {
    return { recorders, error: (error as Error).message };
  } finally {
    for (const board of boards) await board.stop();
    await cloud?.close();
  }
}

/** Why a device did not reach its end frame, with the last lines it printed. */
function stalled(recorder: DeviceRecorder, timeoutMs: number, halt: string | undefined): string {
  const why = halt !== undefined ? 'the device stopped' : 'the suite timed out';
  for (const test of recorder.tests) if (test.status === 'failed' && test.message === undefined) test.message = `did not finish: ${why}`;
  const tail = recorder.log.slice(-5).join(' | ');
  const where = recorder.count === undefined ? 'before its tests began' : `after ${recorder.tests.length} of ${recorder.count} tests`;
  const what = halt !== undefined ? `was stopped by its host ${where}` : `stopped reporting ${where} (suite timeout ${timeoutMs} ms)`;
  return `${recorder.device} ${what}${tail ? `; last output: ${tail}` : ''}`;
}
