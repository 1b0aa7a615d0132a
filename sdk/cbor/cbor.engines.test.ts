/**
 * The CBOR byte fixtures on the two device engines: XS (Moddable's engine, via xsnap) and the
 * Espruino 2v29 dialect host, from mote's Espruino build (lowered to ES5, dialect-checked).
 */
import { describe, expect, it } from 'vitest';
import { buildEspruino } from '../../firmware/build/espruino/index.js';
import { runOnEspruinoHost } from '../../firmware/host/espruino/index.js';
import { bundleForXS, runOnXS } from '../../firmware/host/xs/index.js';
import { packageFile } from '../../scripts/lib/paths.js';
import { edgeFixtures, rfcFixtures } from './fixtures.js';

const entry = packageFile('sdk/cbor/engine-entry.ts');
const expected = {
  rfc: { passed: rfcFixtures.length, failures: [] },
  edge: { passed: edgeFixtures.length, failures: [] },
};

describe('CBOR fixtures on the device engines', () => {
  it('all pass on XS', async () => {
    const run = await runOnXS(await bundleForXS(entry), { timeoutMs: 30_000 });
    expect(run.result).toEqual(expected);
  });

  it('all pass on the Espruino host', async () => {
    const build = await buildEspruino(entry, { cwd: packageFile('.') });
    const code = `var hostResult = function (value) { console.log(JSON.stringify(value)); };\n${build.code}`;
    const run = await runOnEspruinoHost(code, { sourceMap: build.map, timeoutMs: 30_000 });
    expect(run.output.map((line) => JSON.parse(line) as unknown)).toEqual([expected]);
  });
});
