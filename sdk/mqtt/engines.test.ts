/**
 * The MQTT codec and client logic give the same results on the engines as on Node: lowered for
 * Espruino (run on the Espruino-dialect host, which refuses anything Espruino lacks) and on XS.
 */
import { describe, expect, it } from 'vitest';
import { buildEspruino } from '../../firmware/build/espruino/index.js';
import { runOnEspruinoHost } from '../../firmware/host/espruino/run.js';
import { bundleForXS, runOnXS } from '../../firmware/host/xs/index.js';
import { packageFile } from '../../scripts/lib/paths.js';

const entry = packageFile('sdk/mqtt/fixtures/engine-entry.ts');

describe('the MQTT codec and client on the engines', () => {
  let onNode: unknown;

  it('on Node: encodes, decodes from 3-byte chunks, refuses, and the client backs off without a network', async () => {
    const { runEngineChecks } = await import('./fixtures/engine-checks.js');
    onNode = runEngineChecks();
    const r = onNode as { encoded: string[]; statuses: string[]; scheduled: number[]; malformed: string; stats: { queued: number }; queued: string[] };
    expect(r.encoded[5]).toBe('d000');
    expect(r.malformed).toBe('PUBLISH: topic "#" contains a wildcard [MQTT-3.3.2-2]');
    expect(r.statuses).toEqual(['connecting', 'disconnected: cannot open a socket: no network']);
    expect(r.scheduled).toEqual([1000]);
    expect(r.stats.queued).toBe(1);
    expect(r.queued).toEqual([]);
  });

  it('lowered for Espruino, on the Espruino-dialect host: the same results', async () => {
    const built = await buildEspruino(entry, { cwd: packageFile('.'), minify: true });
    const { output } = await runOnEspruinoHost(built.code, { sourceMap: built.map });
    expect(output).toHaveLength(1);
    expect(JSON.parse(output[0]!)).toEqual(onNode);
  });

  it('on XS: the same results', async () => {
    const { result } = await runOnXS(await bundleForXS(entry));
    expect(result).toEqual(onNode);
  });
});
