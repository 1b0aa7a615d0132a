// `mote dev` end to end, from the built CLI (run `npm run build` first): the cloud, the dashboard
// and the dev app on a live virtual board, driven in headless Chromium (Debian's `chromium`,
// through playwright-core) as a person would: the fleet page shows the device online, a search
// query narrows it (a malformed one shows where it goes wrong), a click opens its page, the
// desired `led` is edited, the device drives its LED and the page shows the reported state; a
// screenshot of the telemetry chart must hold the plotted line; a job for the device shows in the
// jobs view with its execution, an OTA job another device downloads shows its progress live; an
// alarm raised by a detector model is acknowledged with a note; a Device Defender violation shows
// and clears, on its own view and on the thing's page.
// Then `mote dev --port` on a virtual Espruino board behind a pseudo-terminal, as on a real board:
// the app and its settings deployed over the console, the console streamed, the telemetry stored;
// without --port and no ESP board plugged in, the virtual board; bad combinations refused.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectAsync } from 'mqtt';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { detectPorts, loadBoards } from '../../../boards/index.js';
import { listPorts } from '../../lib/esp-serial/ports.js';
import { packageFile } from '../../lib/paths.js';
import { SerialBoard } from '../../lib/virtual-board/serial-board.js';
import type { DevSession } from './dev.js';

const CHROMIUM = '/usr/bin/chromium';
/** An ESP board plugged into this machine would get the app when no port is given: the test that gives none is skipped then. */
const boardPlugged = detectPorts((await listPorts()).ports, loadBoards()).some((p) => p.bridge !== undefined);
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Dev {
  session: DevSession;
  /** Device console lines, as `mote dev --json` logs them. */
  lines: string[];
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Runs `mote dev --json` until it prints its session. */
async function startDev(args: string[]): Promise<Dev> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mote-dev-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [packageFile('scripts/bin/mote.js'), 'dev', '--json', '--http-port', '0', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const lines: string[] = [];
  let stderr = '';
  /** What mote dev printed besides device lines (its error, when it exits). */
  const said: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const complete = stderr.split('\n');
    stderr = complete.pop()!;
    for (const line of complete) {
      const event = line.startsWith('{') ? (JSON.parse(line) as { event: string; line?: string }) : { event: 'text', line };
      if (event.event === 'device') lines.push(event.line!);
      else said.push(line);
    }
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const session = await until(() => {
    if (child.exitCode !== null) throw new Error(`mote dev exited with ${child.exitCode}: ${[...said, stderr].join('\n')}`);
    try {
      return JSON.parse(stdout) as DevSession;
    } catch {
      return undefined; // not all of it yet
    }
  }, 'mote dev to start', 60_000);
  return { session, lines, child, exited };
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function browser(): Promise<Page> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set MOTE_SKIP_BROWSER=1)`);
  const profile = mkdtempSync(path.join(tmpdir(), 'mote-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 900 },
  });
  cleanup.push(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context.pages()[0] ?? (await context.newPage());
}

/** Pixels of a PNG (decoded by the browser itself) close to `rgb`. Browser code, as text: host code has no DOM types. */
function countPixels(page: Page, png: Buffer, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(`(async () => {
    const image = new Image();
    image.src = 'data:image/png;base64,${png.toString('base64')}';
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    const rgb = ${JSON.stringify(rgb)};
    let count = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.abs(pixels[i] - rgb[0]) + Math.abs(pixels[i + 1] - rgb[1]) + Math.abs(pixels[i + 2] - rgb[2]) < 60) count++;
    }
    return count;
  })()`);
}

// Fails without Chromium (CI installs it: .ci/run) unless MOTE_SKIP_BROWSER=1.
describe.skipIf(process.env.MOTE_SKIP_BROWSER === '1')('mote dev in a browser', () => {
  it('the dashboard shows the virtual device online and its telemetry; a desired led edited in the page reaches the device, which reports it', async () => {
    const dev = await startDev(['--target', 'espruino', '--virtual']);
    expect(dev.session).toMatchObject({ thingName: 'dev-1', target: 'espruino' });
    expect(dev.session.dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\/#token=mote-admin\./);
    const page = await browser();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(dev.session.dashboard);
    await page.locator('#live', { hasText: 'live' }).waitFor();
    expect(page.url()).not.toContain('token='); // the token leaves the address bar
    const row = page.locator('tr[data-thing="dev-1"]');
    await row.locator('.badge.online').waitFor({ timeout: 30_000 }); // pushed by the live feed once the device connects
    expect(await row.textContent()).toContain('app=dev-app');
    // Fleet search: a malformed query shows the API's reason at its column; a good one narrows the table.
    const query = page.getByRole('searchbox', { name: 'fleet search query' });
    await query.fill('attributes.app:dev-app AND');
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await page.locator('.query-problem').textContent()).toMatch(/^column 27: expected .*, found the end of the query/);
    expect(await row.count()).toBe(0);
    await query.fill('attributes.app:dev-app AND connectivity.connected:true');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.summary', { hasText: '1 of 1 things match' }).waitFor();
    await row.locator('a.thing-link').click();

    await page.locator('pre[data-section="reported"]', { hasText: '"led": "off"' }).waitFor();
    const editor = page.locator('textarea[name="desired"]');
    await editor.fill('not json');
    await page.getByRole('button', { name: 'Update desired' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/^not JSON: /);
    await editor.fill('{"led": "on"}');
    await page.getByRole('button', { name: 'Update desired' }).click();

    await until(() => dev.lines.includes('led: on'), `the device to turn its LED on (it printed: ${dev.lines.join(' | ')})`);
    await page.locator('pre[data-section="reported"]', { hasText: '"led": "on"' }).waitFor(); // reported by the device, pushed live
    expect(await page.locator('pre[data-section="delta"]').textContent()).toBe('—');

    // A few seconds of telemetry, then the chart must show its line (the first series' colour).
    await until(async () => Number(await page.locator('td[data-measurement="uptime"]').textContent().catch(() => '0')) >= 8, 'telemetry in the page', 40_000);
    const temp = Number(await page.locator('td[data-measurement="temp"]').textContent());
    expect(temp).toBeGreaterThanOrEqual(18);
    expect(temp).toBeLessThanOrEqual(24);
    const shot = await page.locator('#telemetry-chart').screenshot();
    await page.screenshot({ path: path.join(tmpdir(), 'mote-dev-dashboard.png') }); // for a person to look at
    expect(await countPixels(page, shot, [0x25, 0x63, 0xeb])).toBeGreaterThan(400);

    // A job for the device: the jobs view lists it with the device's execution.
    const created = await fetch(`${dev.session.http}/jobs`, { method: 'POST', headers: { authorization: `Bearer ${dev.session.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ jobId: 'blink', targets: ['thing/dev-1'], document: { operation: 'blink' } }) });
    expect(created.status).toBe(201);
    await page.getByRole('link', { name: 'jobs' }).click();
    const job = page.locator('[data-job="blink"]');
    expect(await job.locator('tr[data-execution="dev-1"] .badge').textContent()).toMatch(/^(QUEUED|IN_PROGRESS|SUCCEEDED|FAILED|REJECTED)$/);
    expect(await job.locator('.summary').textContent()).toMatch(/^1 (queued|in progress|succeeded|failed|rejected)$/);

    // An OTA job for a second device (MQTT.js standing in for its OTA handler): its download shows live in the jobs view.
    const call = async (method: string, route: string, body?: unknown, type = 'application/json') => {
      const response = await fetch(`${dev.session.http}${route}`, { method, headers: { authorization: `Bearer ${dev.session.adminToken}`, 'content-type': type }, ...(body !== undefined && { body: body instanceof Buffer ? body : JSON.stringify(body) }) });
      expect(response.status, `${method} ${route}`).toBeLessThan(300);
      return response.json() as Promise<Record<string, unknown>>;
    };
    await call('POST', '/things', { thingName: 'ota-1' });
    const { token } = await call('POST', '/things/ota-1/tokens');
    const ota = await connectAsync(dev.session.mqtt, { clientId: 'ota-1', username: 'ota-1', password: token as string, protocolVersion: 4, reconnectPeriod: 0 });
    cleanup.push(() => ota.endAsync());
    const image = await call('POST', '/ota/images?version=2.0.0', Buffer.alloc(4096, 1), 'application/octet-stream');
    await call('POST', '/ota/jobs', { jobId: 'firmware-2', streamId: image.streamId, targets: ['thing/ota-1'] });
    const otaRow = page.locator('[data-job="firmware-2"] tr[data-execution="ota-1"]');
    expect(await otaRow.locator('.download').textContent()).toBe('not started'); // the new job arrives live
    const progress = (received: number) =>
      ota.publishAsync('$aws/things/ota-1/jobs/firmware-2/update', JSON.stringify({ status: 'IN_PROGRESS', statusDetails: { step: 'downloading', received: String(received), size: '4096' } }), { qos: 1 });
    await progress(1024);
    await otaRow.locator('.download', { hasText: '1024 / 4096 bytes · 25% · downloading' }).waitFor();
    await progress(3072);
    await otaRow.locator('.download', { hasText: '3072 / 4096 bytes · 75% · downloading' }).waitFor();
    expect(await otaRow.locator('progress').getAttribute('value')).toBe('75');
    expect(await otaRow.locator('.badge').textContent()).toBe('IN_PROGRESS');

    // An alarm raised by a detector model arrives live in the alarms view; acknowledged there with a note.
    await call('POST', '/events/detector-models', {
      name: 'overheat', key: 'thing', inputs: { Temp: { attributes: ['thing', 'temperature'] } }, initialState: 'Normal',
      states: [
        { stateName: 'Normal', onInput: { transitions: [{ condition: '$input.Temp.temperature > 30', nextState: 'Hot' }] } },
        { stateName: 'Hot', onEnter: { events: [{ actions: [{ raiseAlarm: { alarmName: 'temperature', severity: 3, message: '${$input.Temp.thing} is at ${$input.Temp.temperature} C' } }] }] } },
      ],
    });
    await page.getByRole('link', { name: 'alarms' }).click();
    await page.locator('main .records', { hasText: 'No alarms.' }).waitFor();
    await call('POST', '/events/inputs/Temp', { thing: 'dev-1', temperature: 35 });
    const alarmRow = page.locator('tr[data-alarm="overheat/dev-1/temperature"]');
    expect(await alarmRow.locator('.badge').textContent()).toBe('ACTIVE');
    expect(await alarmRow.textContent()).toContain('dev-1 is at 35 C');
    await alarmRow.getByRole('textbox', { name: 'note for temperature' }).fill('fan checked');
    await alarmRow.getByRole('button', { name: 'Acknowledge' }).click();
    await alarmRow.locator('.badge', { hasText: 'ACKNOWLEDGED' }).waitFor();
    expect(await alarmRow.locator('.note').textContent()).toBe('note: fan checked');
    expect(await alarmRow.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect((await call('GET', '/alarms')).alarms).toMatchObject([{ model: 'overheat', key: 'dev-1', state: 'ACKNOWLEDGED', note: 'fan checked' }]);

    // A Device Defender violation (ota-1's metrics report breaking a behaviour) arrives live, then clears.
    await call('PUT', '/defender/behaviors', { behaviors: [{ name: 'bytes-out', metric: 'aws:all-bytes-out', comparisonOperator: 'greater-than', value: 10_000 }] });
    await page.getByRole('link', { name: 'defender' }).click();
    await page.locator('main .records', { hasText: 'No violations.' }).waitFor();
    const report = (rid: number, bytesOut: number) =>
      ota.publishAsync('$aws/things/ota-1/defender/metrics/json', JSON.stringify({ hed: { rid, v: '1.0' }, met: { ns: { bi: 10, bo: bytesOut, pi: 1, po: 2 } } }), { qos: 1 });
    await report(1, 20_000);
    const violation = page.locator('main tr[data-violation]');
    await violation.locator('.badge', { hasText: 'active' }).waitFor();
    expect(await violation.textContent()).toMatch(/^ota-1bytes-outaws:all-bytes-out 20000> 10000active/);
    await report(2, 10);
    await violation.locator('.badge', { hasText: 'cleared' }).waitFor();
    // The thing's page has its violations and alarms too.
    await violation.getByRole('link', { name: 'ota-1' }).click();
    await page.locator('#thing-violations tr[data-violation] .badge', { hasText: 'cleared' }).waitFor();
    expect(await page.locator('#thing-alarms').textContent()).toContain('No alarms.');
    await page.goto(`${dev.session.http}/dashboard/#/things/dev-1`);
    await page.locator('#thing-alarms tr[data-alarm="overheat/dev-1/temperature"] .badge', { hasText: 'ACKNOWLEDGED' }).waitFor();
    expect(await page.locator('#thing-violations').textContent()).toContain('No violations.');
    expect(problems).toEqual([]);

    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(0);
  });
});

describe('mote dev: where the app runs', () => {
  it('deploys the app and its settings to the board at --port, streams its console, and the cloud stores its telemetry', async () => {
    const board = await SerialBoard.start({ board: { i2c: [{ kind: 'tmp102', address: 0x48, celsius: [{ at: 0, value: 23.5 }] }] } });
    cleanup.push(() => board.stop());
    const dev = await startDev(['--port', board.path]);
    expect(dev.session).toMatchObject({ thingName: 'dev-1', target: 'espruino', port: board.path });
    expect(dev.session.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/); // a pty is a board on this machine
    const printed = () => dev.lines.map((line) => line.replace(/^>/, '')); // Espruino's prompt may lead a line
    await until(() => printed().includes('mqtt: connected'), `the board to connect (it printed: ${dev.lines.join(' | ')})`);
    expect(printed()).toContain('dev-app: dev-1');
    expect(JSON.parse(board.device.storage()['app.config']!)).toEqual({ thing: 'dev-1', host: '127.0.0.1', port: Number(new URL(dev.session.mqtt).port), token: expect.stringMatching(/./) });

    const telemetry = async () => {
      const response = await fetch(`${dev.session.http}/things/dev-1/telemetry`, { headers: { authorization: `Bearer ${dev.session.adminToken}` } });
      return ((await response.json()) as { entries: { ts: number; m: Record<string, unknown> }[] }).entries;
    };
    const stored = await until(async () => ((await telemetry()).some((e) => e.m.temp !== undefined) ? telemetry() : undefined), 'telemetry from the board stored', 40_000);
    expect(stored.find((e) => e.m.temp !== undefined)!.m).toMatchObject({ temp: 23.5, uptime: expect.any(Number) });

    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(0);
    expect(board.device.storage()['.bootcde']).toBe(readFileSync(path.join(dev.session.build, 'main.js'), 'latin1')); // the app stays on the board
  });

  it.skipIf(boardPlugged)('without --port and with no ESP board plugged in, runs on the virtual board', async () => {
    const dev = await startDev([]);
    expect(dev.session).not.toHaveProperty('port');
    await until(() => dev.lines.includes('mqtt: connected'), `the virtual board to connect (it printed: ${dev.lines.join(' | ')})`);
    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(0);
  });

  it('installs the app as a mod on a Moddable board at --port, its settings as a preference, and the cloud stores its telemetry', async () => {
    const { ModdableBoard } = await import('../../lib/virtual-board/moddable-board.js');
    const board = await ModdableBoard.start({ board: { i2c: [{ kind: 'tmp102', address: 0x48, celsius: [{ at: 0, value: 19.5 }] }] } });
    cleanup.push(() => board.stop());
    const dev = await startDev(['--target', 'moddable', '--port', board.path]);
    expect(dev.session).toMatchObject({ thingName: 'dev-1', target: 'moddable', port: board.path });
    await until(() => dev.lines.includes('mqtt: connected'), `the board to connect (it printed: ${dev.lines.join(' | ')})`);
    expect(JSON.parse((await board.preferences())['app.config']!)).toMatchObject({ thing: 'dev-1', host: '127.0.0.1' });
    const telemetry = async () => {
      const response = await fetch(`${dev.session.http}/things/dev-1/telemetry`, { headers: { authorization: `Bearer ${dev.session.adminToken}` } });
      return ((await response.json()) as { entries: { m: Record<string, unknown> }[] }).entries;
    };
    const stored = await until(async () => ((await telemetry()).some((e) => e.m.temp !== undefined) ? telemetry() : undefined), 'telemetry from the board stored', 40_000);
    expect(stored.find((e) => e.m.temp !== undefined)!.m).toMatchObject({ temp: 19.5 });
    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(0);
  });

  it('refuses --virtual with --port, and a port that does not open, before starting anything', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mote-dev-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const run = (...args: string[]) => spawnSync(process.execPath, [packageFile('scripts/bin/mote.js'), 'dev', '--http-port', '0', '--data-dir', dataDir, ...args], { encoding: 'utf8' });
    const both = run('--virtual', '--port', '/dev/ttyUSB7');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--virtual and --port exclude each other');
    const unplugged = run('--port', '/dev/mote-no-such-port');
    expect(unplugged.status).toBe(1);
    expect(unplugged.stderr).toContain('/dev/mote-no-such-port: no port /dev/mote-no-such-port');
    expect(existsSync(path.join(dataDir, 'build'))).toBe(false); // neither built nor a store made
  });
});
