// `mote hil` through the built CLI (npm test builds dist/ first): every suite of hil-tests/ on
// virtual boards for both targets with a JUnit file, and a deliberately failing fixture suite;
// then over serial ports, to pty virtual Espruino boards started here (real ttys, socat).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/paths.js';
import { checkXml } from '../../lib/hil/xml-check.js';
import { SerialBoard } from '../../lib/virtual-board/serial-board.js';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const fixtures = path.join(packageRoot(), 'scripts/lib/hil/fixtures');

/** Runs the CLI without blocking the event loop (two runs can share the machine). */
function mote(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return moteWith({}, ...args);
}

/** The same with environment variables (MOTE_HIL_PORT is unset unless given). */
function moteWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const { MOTE_HIL_PORT: _, ...inherited } = process.env;
    const child = spawn(process.execPath, [bin, ...args], { cwd: packageRoot(), env: { ...inherited, MOTE_DEBUG: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const attr = (xml: string, tag: string, name: string) => [...xml.matchAll(new RegExp(`<${tag}\\b[^>]*?\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('mote hil --virtual', () => {
  it('runs every suite of hil-tests/ on both targets, passes, and writes a JUnit file', async () => {
    const junit = path.join(mkdtempSync(path.join(os.tmpdir(), 'mote-hil-cli-')), 'results.xml');
    const { code, stdout, stderr } = await mote('hil', '--virtual', '--junit', junit);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^hil: (\d+) passed, 0 failed, 0 skipped, 0 suite errors \(7 suites on espruino, moddable, [\d.]+ s\)$/);
    for (const suite of ['kernel', 'hal', 'cloud', 'pubsub']) {
      for (const target of ['espruino', 'moddable']) expect(lines.some((l) => l.startsWith(`  ✓ ${suite} [${target}] `))).toBe(true);
    }
    // A second boot found what the first wrote in flash (only Espruino's virtual board hands its flash back).
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ reset \[espruino\] boot 2 › finds the values written before the reset/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ reset \[moddable\] boot 2 › finds the values written before the reset/));
    // A broker restart: every QoS 1 number reached the cloud and the kept session delivered what was sent meanwhile.
    for (const target of ['espruino', 'moddable']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}✓ broker-restart \\[${target}\\] broker restart › publishes 1\\.\\.60 at QoS 1 through a broker restart`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}✓ broker-restart \\[${target}\\] broker restart › the command the cloud sent while the broker was down arrives`)));
    }
    // OTA: v1 refuses a wrong SHA-256, installs v2 and resets; the board boots v2 from its app slot, which confirms.
    for (const target of ['espruino', 'moddable']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}✓ ota \\[${target}\\] app v1 › a job whose SHA-256 is not the image's fails`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}✓ ota \\[${target}\\] app v2 › boots as v2, on trial, from the slot v1 wrote`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}✓ ota \\[${target}\\] app v2 › confirms the image and reports the job SUCCEEDED`)));
    }
    // The multi-device suite names each board's tests.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ pubsub \[moddable\] subscriber: subscriber › receives the publisher's ping/));

    const xml = readFileSync(junit, 'utf8');
    checkXml(xml);
    expect(attr(xml, 'testsuite', 'name')).toEqual(['broker-restart', 'cloud', 'hal', 'kernel', 'ota', 'pubsub', 'reset'].flatMap((s) => [`${s} (espruino)`, `${s} (moddable)`]));
    const passed = Number(/^hil: (\d+) passed/.exec(lines.at(-1)!)![1]);
    expect(attr(xml, 'testsuites', 'tests')).toEqual([String(passed)]);
    expect(attr(xml, 'testsuites', 'failures')).toEqual(['0']);
    expect(xml).toContain('<testcase classname="cloud.espruino.device" name="cloud › telemetry published by the device lands in the cloud&apos;s store" time="');
    expect(xml).not.toContain('<failure');
  }, 180_000); // the whole HIL run: 14 suite runs (a hang guard, not a speed limit)

  it('fails with the device message of a failing test (exit 1), with the log, skip and JUnit failure', async () => {
    const junit = path.join(mkdtempSync(path.join(os.tmpdir(), 'mote-hil-cli-')), 'results.xml');
    const { code, stdout, stderr } = await mote('hil', 'failing', '--virtual', '--dir', fixtures, '--target', 'espruino', '--junit', junit);
    expect(code).toBe(1);
    expect(stdout).toContain('  ✓ failing [espruino] arithmetic › adds (');
    expect(stdout).toContain('  ✗ failing [espruino] arithmetic › multiplies wrongly on purpose (');
    expect(stdout).toContain('      expected {product: 42} to equal {product: 43}\n      device log:\n        about to multiply\n');
    expect(stdout).toContain('  - failing [espruino] arithmetic › divides (skipped: not written yet)');
    expect(stdout).toMatch(/hil: 1 passed, 1 failed, 1 skipped, 0 suite errors/);
    expect(stderr).toBe('mote: 1 test failed, 0 suite errors; first: failing [espruino] arithmetic › multiplies wrongly on purpose: expected {product: 42} to equal {product: 43}\n');
    const xml = readFileSync(junit, 'utf8');
    checkXml(xml);
    expect(xml).toContain('<failure message="expected {product: 42} to equal {product: 43}" type="AssertionError">');
    expect(xml).toContain('<system-out>about to multiply</system-out>');
    expect(xml).toContain('<skipped message="not written yet"/>');
    expect(attr(xml, 'testsuite', 'failures')).toEqual(['1']);
  });

  it('--json gives the results as data', async () => {
    const { code, stdout } = await mote('hil', 'failing', '--virtual', '--dir', fixtures, '--target', 'moddable', '--json');
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as { summary: { passed: number; failed: number; skipped: number }; suites: { target: string; tests: { name: string; status: string; message?: string }[] }[] };
    expect(result.summary).toMatchObject({ passed: 1, failed: 1, skipped: 1, errors: 0 });
    expect(result.suites[0]!.target).toBe('moddable');
    expect(result.suites[0]!.tests.find((t) => t.status === 'failed')?.message).toBe('expected {product: 42} to equal {product: 43}');
  });

  it('refuses a run on no boards, an unknown target and an unknown suite', async () => {
    expect(await mote('hil')).toMatchObject({ code: 2, stderr: expect.stringContaining('pass --port <tty> (once per board; or set MOTE_HIL_PORT, or --board to find it by USB) to run on boards, or --virtual') });
    expect(await mote('hil', '--virtual', '--target', 'arduino')).toMatchObject({ code: 2, stderr: expect.stringContaining('--target must be espruino, moddable or all') });
    expect(await mote('hil', 'nope', '--virtual')).toMatchObject({ code: 1, stderr: expect.stringContaining('no suite "nope"') });
  });
});

describe('mote hil --port', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  const board = async () => {
    const started = await SerialBoard.start();
    stops.push(() => started.stop());
    return started;
  };

  it('runs suites on a board behind a serial port: build deployed with its settings, results read from the console', async () => {
    const pty = await board();
    const junit = path.join(mkdtempSync(path.join(os.tmpdir(), 'mote-hil-cli-')), 'results.xml');
    const { code, stdout, stderr } = await mote('hil', 'kernel', 'reset', 'ota', 'cloud', '--port', pty.path, '--board', 'esp32-devkitc', '--cloud-host', '127.0.0.2', '--junit', junit);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^hil: (\d+) passed, 0 failed, 0 skipped, 0 suite errors \(4 suites on espruino, [\d.]+ s\)$/);
    for (const suite of ['kernel', 'reset', 'ota', 'cloud']) expect(lines.some((l) => l.startsWith(`  ✓ ${suite} [espruino] `))).toBe(true);
    // Both boots of the reset suite ran on the board, the second by load() over its console.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ reset \[espruino\] boot 2 › finds the values written before the reset/));
    // An OTA update over the air: v1 wrote v2 to an app slot in Storage; load() booted v2 from it.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ ota \[espruino\] app v2 › confirms the image and reports the job SUCCEEDED/));
    const xml = readFileSync(junit, 'utf8');
    checkXml(xml);
    expect(attr(xml, 'testsuite', 'name')).toEqual(['kernel (espruino)', 'reset (espruino)', 'ota (espruino)', 'cloud (espruino)']);
    expect(attr(xml, 'testsuites', 'tests')).toEqual([/^hil: (\d+) passed/.exec(lines.at(-1)!)![1]]);
    expect(xml).not.toContain('<failure');
    // What the last suite left in the board's flash: its settings (the cloud at --cloud-host, which
    // it listened on: the board reached it), the --board's wiring, and the app.
    const flash = pty.device.storage();
    expect(JSON.parse(flash['hil.config']!)).toMatchObject({ thing: 'hil-cloud-device', host: '127.0.0.2', device: 'device' });
    expect(JSON.parse(flash['hil.board']!)).toEqual({ id: 'esp32-devkitc', pins: { led: null, button: 0, i2c: { sda: 21, scl: 22 } } });
    expect(Object.keys(flash).sort()).toEqual(['.bootcde', 'hil.board', 'hil.config']);
  });

  it('runs a two-board suite on the ports of MOTE_HIL_PORT, device i on the i-th, then one-board suites side by side', async () => {
    const [first, second] = [await board(), await board()];
    const junit = path.join(mkdtempSync(path.join(os.tmpdir(), 'mote-hil-cli-')), 'results.xml');
    const { code, stdout, stderr } = await moteWith({ MOTE_HIL_PORT: `${first.path}, ${second.path}` }, 'hil', 'pubsub', 'kernel', 'reset', '--junit', junit);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}✓ pubsub \[espruino\] subscriber: subscriber › receives the publisher's ping/m);
    expect(stdout).toMatch(/hil: \d+ passed, 0 failed, 0 skipped, 0 suite errors \(3 suites on espruino, /);
    // Reported in the order asked for, whichever lane ended first.
    expect(attr(readFileSync(junit, 'utf8'), 'testsuite', 'name')).toEqual(['pubsub (espruino)', 'kernel (espruino)', 'reset (espruino)']);
    // pubsub had both boards; then kernel ran on the first and reset on the second: each board's
    // flash holds its last suite (reset's values; kernel's app with no data), its settings gone.
    expect(Object.keys(first.device.storage())).toEqual(['.bootcde']);
    expect(Object.keys(second.device.storage()).sort()).toEqual(['.bootcde', 'hilreset.boots', 'hilreset.bytes', 'hilreset.greeting']);
  });

  it('gives a cloud suite the cloud at loopback when the port is a pty (a virtual board on this machine)', async () => {
    const pty = await board();
    expect(await mote('hil', 'cloud', '--port', pty.path)).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(pty.device.storage()['hil.config']!)).toMatchObject({ thing: 'hil-cloud-device', host: '127.0.0.1' });
  });

  it("fails with the device's own message, sent over the port (exit 1), in the summary and the JUnit file", async () => {
    const pty = await board();
    const junit = path.join(mkdtempSync(path.join(os.tmpdir(), 'mote-hil-cli-')), 'results.xml');
    const { code, stdout, stderr } = await mote('hil', 'failing', '--port', pty.path, '--dir', fixtures, '--junit', junit);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}✗ failing \[espruino\] arithmetic › multiplies wrongly on purpose \(\d+ ms\)\n {6}expected \{product: 42\} to equal \{product: 43\}\n {6}device log:\n {8}about to multiply\n/m);
    expect(stdout).toMatch(/hil: 1 passed, 1 failed, 1 skipped, 0 suite errors/);
    expect(stderr).toMatch(/^mote: 1 test failed, 0 suite errors; first: failing \[espruino\] arithmetic › multiplies wrongly on purpose: expected \{product: 42\} to equal \{product: 43\}\n$/);
    const xml = readFileSync(junit, 'utf8');
    checkXml(xml);
    expect(xml).toContain('<failure message="expected {product: 42} to equal {product: 43}" type="AssertionError">');
    expect(xml).toContain('<system-out>about to multiply</system-out>');
  });

  it('runs suites on a Moddable board behind a port: each installed as a mod over xsbug, results read from its logs', async () => {
    const { ModdableBoard } = await import('../../lib/virtual-board/moddable-board.js');
    const moddable = await ModdableBoard.start();
    stops.push(() => moddable.stop());
    const { code, stdout, stderr } = await mote('hil', 'kernel', 'reset', 'cloud', '--port', moddable.path, '--target', 'moddable');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const suite of ['kernel', 'reset', 'cloud']) expect(stdout).toMatch(new RegExp(`^ {2}✓ ${suite} \\[moddable\\] `, 'm'));
    expect(stdout).toMatch(/^hil: \d+ passed, 0 failed, 0 skipped, 0 suite errors \(3 suites on moddable, /m);
  });

  it('refuses both modes, too few ports for a suite, and a port it cannot open', async () => {
    expect(await mote('hil', '--virtual', '--port', '/dev/pts/0')).toMatchObject({ code: 2, stderr: 'mote: pass either --port (boards on serial ports) or --virtual, not both\n' });
    expect(await moteWith({ MOTE_HIL_PORT: '/dev/pts/0' }, 'hil', '--virtual', '--cloud-host', '10.0.0.1')).toMatchObject({ code: 2, stderr: expect.stringContaining('--cloud-host is for boards on a port') });
    expect(await mote('hil', 'pubsub', '--port', '/dev/pts/0')).toMatchObject({
      code: 2,
      stderr: 'mote: suite pubsub needs 2 boards (one per device: publisher, subscriber), got 1 port: pass --port once per board\n',
    });
    expect(await mote('hil', 'kernel', '--port', '/dev/pts/0', '--port', '/dev/pts/0')).toMatchObject({ code: 2, stderr: expect.stringContaining('port /dev/pts/0 is given twice') });
    expect(await moteWith({ MOTE_HIL_PORT: '/dev/mote-no-such-port' }, 'hil', 'kernel')).toMatchObject({ code: 1, stderr: 'mote: no port /dev/mote-no-such-port\n' });
  });
});
