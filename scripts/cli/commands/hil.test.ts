// `mote hil` through the built CLI (npm test builds dist/ first): every suite of hil-tests/ on
// virtual boards for both targets with a JUnit file, and a deliberately failing fixture suite.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/paths.js';
import { checkXml } from '../../lib/hil/xml-check.js';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const fixtures = path.join(packageRoot(), 'scripts/lib/hil/fixtures');

/** Runs the CLI without blocking the event loop (two runs can share the machine). */
function mote(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: packageRoot(), env: { ...process.env, MOTE_DEBUG: '' } });
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
    expect(lines.at(-1)).toMatch(/^hil: (\d+) passed, 0 failed, 0 skipped, 0 suite errors \(6 suites on espruino, moddable, [\d.]+ s\)$/);
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
    // The multi-device suite names each board's tests.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ pubsub \[moddable\] subscriber: subscriber › receives the publisher's ping/));

    const xml = readFileSync(junit, 'utf8');
    checkXml(xml);
    expect(attr(xml, 'testsuite', 'name')).toEqual(['broker-restart', 'cloud', 'hal', 'kernel', 'pubsub', 'reset'].flatMap((s) => [`${s} (espruino)`, `${s} (moddable)`]));
    const passed = Number(/^hil: (\d+) passed/.exec(lines.at(-1)!)![1]);
    expect(attr(xml, 'testsuites', 'tests')).toEqual([String(passed)]);
    expect(attr(xml, 'testsuites', 'failures')).toEqual(['0']);
    expect(xml).toContain('<testcase classname="cloud.espruino.device" name="cloud › telemetry published by the device lands in the cloud&apos;s store" time="');
    expect(xml).not.toContain('<failure');
  });

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

  it('refuses a run without --virtual, an unknown target and an unknown suite', async () => {
    expect(await mote('hil')).toMatchObject({ code: 2, stderr: expect.stringContaining('pass --virtual') });
    expect(await mote('hil', '--virtual', '--target', 'arduino')).toMatchObject({ code: 2, stderr: expect.stringContaining('--target must be espruino, moddable or all') });
    expect(await mote('hil', 'nope', '--virtual')).toMatchObject({ code: 1, stderr: expect.stringContaining('no suite "nope"') });
  });
});

