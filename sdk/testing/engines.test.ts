// The SDK's AWS services on the two device engines: each entry under ./entries is built for
// Espruino (buildEspruino, then the Espruino 2v29 host, which refuses anything the engine lacks)
// and bundled for XS, and must report what Node computes. Few runs, each a whole scenario.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildEspruino } from '../../firmware/build/espruino/index.js';
import { runOnEspruinoHost } from '../../firmware/host/espruino/index.js';
import { bundleForXS, runOnXS } from '../../firmware/host/xs/index.js';
import { packageFile } from '../../scripts/lib/paths.js';
import { sha256Inputs } from './entries/inputs.js';

const entry = (name: string) => packageFile(`sdk/testing/entries/${name}.ts`);

/** Runs `name` on the Espruino host; the entry's hostResult becomes one printed JSON line. */
async function onEspruino(name: string): Promise<unknown> {
  const build = await buildEspruino(entry(name), { cwd: packageFile('.'), minify: true });
  const code = `var hostResult = function (value) { console.log('RESULT ' + JSON.stringify(value)); };\n${build.code}`;
  const run = await runOnEspruinoHost(code, { timeoutMs: 60_000, sourceMap: build.map });
  const results = run.output.filter((line) => line.startsWith('RESULT '));
  expect(run.output.filter((line) => !line.startsWith('RESULT ')), 'nothing else printed').toEqual([]);
  expect(results).toHaveLength(1);
  return JSON.parse(results[0]!.slice('RESULT '.length));
}

async function onXS(name: string): Promise<unknown> {
  const run = await runOnXS(await bundleForXS(entry(name)), { timeoutMs: 60_000 });
  return run.result;
}

const engines = [
  ['Espruino 2v29 host', onEspruino],
  ['XS', onXS],
] as const;

describe.each(engines)('on %s', (_name, run) => {
  it('SHA-256 of inputs around the padding edges, whole and in pieces, equals node:crypto', async () => {
    const expected = sha256Inputs().map((bytes) => createHash('sha256').update(bytes).digest('hex'));
    const got = (await run('sha256')) as { whole: string; pieces: string }[];
    expect(got.map((r) => r.whole)).toEqual(expected);
    expect(got.map((r) => r.pieces)).toEqual(expected);
  }, 90_000);
});

describe.each(engines)('OTA on %s', (_name, run) => {
  it('a whole update: a lost block asked again, verified, committed, rebooted, self-tested and confirmed', async () => {
    expect(await run('ota')).toEqual({
      status: 'SUCCEEDED',
      updates: [
        { step: 'downloading', received: '0', size: '3000' },
        { step: 'downloading', received: '1024', size: '3000' },
        { step: 'downloading', received: '2048', size: '3000' },
        { step: 'downloading', received: '3000', size: '3000' },
        { step: 'rebooting' },
        { step: 'confirmed' },
      ],
      state: 'idle',
      running: 1,
      same: true,
      boots: 2,
      retried: true,
    });
  }, 90_000);
});
