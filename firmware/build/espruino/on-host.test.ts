/**
 * The lowered bundles through the Espruino 2v29 dialect checker and the Espruino-dialect host:
 * what buildEspruino emits must pass the one and run on the other as on Node.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scenarios } from '../../kernel/conformance/index.js';
import { runOnEspruinoHost } from '../../host/espruino/index.js';
import { bundleForXS } from '../../host/xs/bundle.js';
import { packageFile } from '../../../scripts/lib/paths.js';
import { checkDialect } from './dialect.js';
import { buildEspruino, type EspruinoBuild } from './index.js';
import { runInVm } from './vm-run.js';

const cwd = packageFile('.');

/** The host has no hostResult: the script prints the value as JSON on one line. */
async function onHost(build: EspruinoBuild): Promise<unknown> {
  const code = `var hostResult = function (value) { console.log(JSON.stringify(value)); };\n${build.code}`;
  const run = await runOnEspruinoHost(code, { timeoutMs: 60_000 });
  const printed = run.output.filter((line) => line.startsWith('{'));
  expect(run.output.filter((line) => !line.startsWith('{'))).toEqual([]);
  expect(printed).toHaveLength(1);
  return JSON.parse(printed[0]);
}

describe('lowered kernel conformance bundle on the Espruino dialect checker and host', () => {
  let build: EspruinoBuild;
  beforeAll(async () => {
    build = await buildEspruino(packageFile('firmware/kernel/conformance/xs-entry.ts'), { cwd });
  });

  it('checkDialect finds nothing Espruino 2v29 rejects', () => {
    expect(checkDialect(build.code, { sourceMap: build.map }).map((p) => p.message)).toEqual([]);
  });

  it('every scenario matches its expected traces on the Espruino host', async () => {
    const traces = (await onHost(build)) as Record<string, { preemptive: string[]; cooperative: string[] }>;
    for (const s of scenarios) {
      expect(traces[s.name]?.preemptive, `${s.name} preemptive`).toEqual(s.expected.preemptive);
      expect(traces[s.name]?.cooperative, `${s.name} cooperative`).toEqual(s.expected.cooperative);
    }
  });
});

describe('minified lowered kernel conformance bundle on the Espruino dialect checker and host', () => {
  let build: EspruinoBuild;
  beforeAll(async () => {
    build = await buildEspruino(packageFile('firmware/kernel/conformance/xs-entry.ts'), { cwd, minify: true });
  });

  it('checkDialect finds nothing, and every scenario matches on the host', async () => {
    expect(checkDialect(build.code, { sourceMap: build.map }).map((p) => p.message)).toEqual([]);
    const traces = (await onHost(build)) as Record<string, { preemptive: string[]; cooperative: string[] }>;
    for (const s of scenarios) {
      expect(traces[s.name]?.preemptive, `${s.name} preemptive`).toEqual(s.expected.preemptive);
      expect(traces[s.name]?.cooperative, `${s.name} cooperative`).toEqual(s.expected.cooperative);
    }
  });
});

describe('lowered generator fixture on the Espruino dialect checker and host', () => {
  const entry = packageFile('firmware/build/espruino/fixtures/generators-entry.ts');
  let build: EspruinoBuild;
  beforeAll(async () => {
    build = await buildEspruino(entry, { cwd });
  });

  it('checkDialect finds nothing Espruino 2v29 rejects', () => {
    expect(checkDialect(build.code, { sourceMap: build.map }).map((p) => p.message)).toEqual([]);
  });

  it('logs on the Espruino host what it logs natively', async () => {
    const native = (await runInVm(await bundleForXS(entry))) as { sync: Record<string, unknown>; async: unknown };
    const hosted = (await onHost(build)) as typeof native;
    for (const name of Object.keys(native.sync)) {
      if (name.startsWith('for-of over an iterator')) continue;
      expect(hosted.sync[name], name).toEqual(native.sync[name]);
    }
    expect(hosted.async).toEqual(native.async);
  });
});
