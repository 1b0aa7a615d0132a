// The data services (buttons, telemetry, Device Defender, CBOR) in one device scenario on the
// two device engines: built for Espruino (lowered, dialect-checked, on the Espruino 2v29 host)
// and bundled for XS; each must see exactly what Node sees, and Node must see what is expected.
import { describe, expect, it } from 'vitest';
import { buildEspruino } from '../../firmware/build/espruino/index.js';
import { runOnEspruinoHost } from '../../firmware/host/espruino/index.js';
import { bundleForXS, runOnXS } from '../../firmware/host/xs/index.js';
import { packageFile } from '../../scripts/lib/paths.js';
import { decodeCbor } from '../cbor/index.js';
import { fromHex } from '../cbor/fixtures.js';
import { runDeviceScenario, type ScenarioResult } from './device-scenario.js';
import { decodeBatch } from './index.js';

const entry = packageFile('sdk/telemetry/device-scenario.entry.ts');
const onNode = () => new Promise<ScenarioResult>((resolve) => runDeviceScenario(resolve));

describe('data services scenario', () => {
  it('on Node: presses, events, batches and the Defender answer are as designed', async () => {
    const result = await onNode();
    expect(result.presses).toEqual(['1380 double', '2830 long', '4430 single']);
    expect(result.outcomes).toEqual(['json flush: done', 'cbor flush: done', 'defender: accepted 1763812351']);
    const topics = result.messages.map((m) => m.split(' ')[0]);
    expect(topics).toEqual([
      'things/lamp/buttons',
      'things/lamp/telemetry/cbor', // two entries: a full batch
      'things/lamp/buttons',
      'things/lamp/telemetry/json', // three entries: a full batch, recorded before the event is published
      'things/lamp/buttons',
      'things/lamp/telemetry/cbor', // the flush
      '$aws/things/lamp/defender/metrics/cbor',
      '$aws/things/lamp/defender/metrics/cbor/accepted',
    ]);
    expect(result.messages[3]).toBe(
      'things/lamp/telemetry/json {"seq":0,"dropped":0,"entries":[{"ts":1763812346380,"m":{"press":"double"}},{"ts":1763812347830,"m":{"press":"long"}},{"ts":1763812349430,"m":{"press":"single"}}]}',
    );
    const cbor = result.messages.filter((m) => m.startsWith('things/lamp/telemetry/cbor ')).map((m) => decodeBatch('cbor', fromHex(m.split(' ')[1]!)));
    expect(cbor).toEqual([
      { seq: 0, dropped: 0, entries: [{ ts: 1763812346380, m: { press: 'double', at: 1380 } }, { ts: 1763812347830, m: { press: 'long', at: 2830 } }] },
      { seq: 1, dropped: 0, entries: [{ ts: 1763812349430, m: { press: 'single', at: 4430 } }] },
    ]);
    expect(decodeCbor(fromHex(result.messages[6]!.split(' ')[1]!))).toEqual({
      hed: { rid: 1763812351, v: '1.0' },
      met: { tp: { pts: [], t: 0 }, tc: { ec: { cs: [{ rad: '10.0.0.1:8883', lp: 50000 }], t: 1 } } },
      cmet: { presses: [{ number: 3 }] },
    });
  });

  it('XS sees exactly what Node sees', async () => {
    const run = await runOnXS(await bundleForXS(entry), { timeoutMs: 60_000 });
    expect(run.result).toEqual(await onNode());
  });

  it('the Espruino host sees exactly what Node sees', async () => {
    const build = await buildEspruino(entry, { cwd: packageFile('.'), minify: true });
    const code = `var hostResult = function (value) { console.log('RESULT ' + JSON.stringify(value)); };\n${build.code}`;
    const run = await runOnEspruinoHost(code, { timeoutMs: 60_000, sourceMap: build.map });
    expect(run.output.filter((line) => !line.startsWith('RESULT '))).toEqual([]);
    expect(run.output.map((line) => JSON.parse(line.slice('RESULT '.length)) as unknown)).toEqual([await onNode()]);
  });
});
