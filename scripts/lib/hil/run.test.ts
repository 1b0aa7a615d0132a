// The runner in-process, on fixture suites: retries after a link fault (a frame corrupted on the
// way, as a noisy serial line would), host checks failing tests, a device that stops reporting,
// and suite.json validation.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../paths.js';
import { runHil } from './run.js';
import { findSuites, loadSuite } from './suites.js';

const fixtures = packageFile('scripts/lib/hil/fixtures');

/** Corrupts the CRC of the first frame of each of the given attempts. */
function corruptFirst(attempts: number[]) {
  const done = new Set<number>();
  return (line: string, where: { attempt: number }) => {
    if (!attempts.includes(where.attempt) || done.has(where.attempt) || !line.startsWith('~mote:')) return line;
    done.add(where.attempt);
    return line.replace(/\*([0-9a-f]{8})$/, (_, crc: string) => `*${crc === '00000000' ? '00000001' : '00000000'}`);
  };
}

describe('runHil', () => {
  it('a link fault reruns the suite; the second attempt counts', async () => {
    const [result] = await runHil({ suites: findSuites(fixtures, ['failing']), targets: ['espruino'], linkFilter: corruptFirst([1]) });
    expect(result).toMatchObject({ status: 'failed', attempts: 2 });
    expect(result!.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'skipped']);
  });

  it('a link fault on every attempt is a suite error, not a test result', async () => {
    const [result] = await runHil({ suites: findSuites(fixtures, ['failing']), targets: ['espruino'], retries: 1, linkFilter: corruptFirst([1, 2]) });
    expect(result).toMatchObject({ status: 'error', attempts: 2 });
    expect(result!.error).toMatch(/^link fault \(after 2 attempts\): device: CRC mismatch: frame says 0000000[01], content gives [0-9a-f]{8}/);
  });

  it("a host action that fails fails the test that signalled, with the host's message", async () => {
    const [result] = await runHil({ suites: findSuites(fixtures, ['signals']), targets: ['espruino', 'moddable'] });
    expect(result!.target).toBe('espruino'); // the suite runs on espruino only
    expect(result!.tests.map((t) => [t.status, t.message])).toEqual([
      ['failed', 'this suite has no cloud (set "cloud": true in suite.json)'],
      ['failed', expect.stringMatching(/^host: unknown signal "no.such.action" \(known: shadow.desire, /)],
      ['passed', undefined],
    ]);
  });

  it('a device that stops reporting fails its running test and the suite, with its last output', async () => {
    const [result] = await runHil({ suites: findSuites(fixtures, ['stalls']), targets: ['moddable'] });
    expect(result).toMatchObject({ status: 'error', attempts: 1 });
    expect(result!.error).toBe('device stopped reporting after 2 of 2 tests (suite timeout 1500 ms); last output: waiting forever');
    expect(result!.tests.map((t) => [t.status, t.message])).toEqual([
      ['passed', undefined],
      ['failed', 'did not finish: the suite timed out'],
    ]);
  });

  it("an exception escaping a callback fails its test with the device's message, and the device goes on", async () => {
    const [result] = await runHil({ suites: findSuites(fixtures, ['crashes']), targets: ['moddable'] });
    expect(result).toMatchObject({ status: 'failed', attempts: 1 });
    expect(result!.tests.map((t) => [t.status, t.message])).toEqual([['failed', 'timed out after 5000 ms; the device printed: Uncaught Error: expected 1 to be 2']]);
  });
});

describe('suite.json', () => {
  const suite = (json: unknown, files: string[] = ['main.ts']) => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'mote-hil-suite-')), 'demo');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'suite.json'), typeof json === 'string' ? json : JSON.stringify(json));
    for (const f of files) writeFileSync(path.join(dir, f), '');
    return dir;
  };

  it('fills in the defaults', () => {
    const loaded = loadSuite(suite({}));
    expect(loaded).toMatchObject({ name: 'demo', targets: ['espruino', 'moddable'], cloud: false, timeoutMs: 60000 });
    expect(loaded.devices).toEqual([{ name: 'device', entry: path.join(loaded.dir, 'main.ts'), board: {} }]);
  });

  it('refuses a bad file with each problem named', () => {
    expect(() => loadSuite(suite('{ nope'))).toThrow(/^suite demo: suite.json is not JSON: /);
    expect(() => loadSuite(suite({ targets: ['arduino'], timeoutMs: -1, extra: 1 }))).toThrow(/targets\.0: .*; timeoutMs: .*; \(top\): .*extra/);
    expect(() => loadSuite(suite({ devices: [{ name: 'a', entry: 'a.ts' }, { name: 'a', entry: 'main.ts' }] }, ['a.ts', 'main.ts']))).toThrow('devices: device names must differ');
    expect(() => loadSuite(suite({ devices: [{ name: 'a', entry: 'gone.ts' }] }))).toThrow('suite demo: device a: gone.ts not found');
    expect(() => loadSuite(suite({ board: { stimuli: [{ at: 0, pin: 99, level: 2 }] } }))).toThrow(/board\.stimuli\.0\.pin: .*; board\.stimuli\.0\.level/);
  });
});
