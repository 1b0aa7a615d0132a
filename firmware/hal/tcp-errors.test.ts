/**
 * A refused connection as the app sees it on the live Espruino device (its `net` bridged to real
 * TCP): Espruino reports socket errors as `{ code, message }` objects, which the TCP port turns
 * into an Error that says what happened, not "[object Object]".
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildFirmware } from '../build/targets.js';
import { EspruinoDevice } from '../host/espruino/device.js';

it('espruino: a refused connection reaches onError as "TCP: ECONNREFUSED"', async () => {
  const outDir = path.join(mkdtempSync(path.join(tmpdir(), 'mote-tcp-errors-')), 'espruino');
  await buildFirmware({ target: 'espruino', entry: path.join(import.meta.dirname, 'fixtures/tcp-refused/main.ts'), outDir, name: 'tcp-refused' });
  const lines: string[] = [];
  const device = new EspruinoDevice({ board: {}, onLine: (line) => lines.push(line) });
  try {
    device.load(readFileSync(path.join(outDir, 'main.js'), 'utf8'), readFileSync(path.join(outDir, 'main.js.map'), 'utf8'));
    const started = Date.now();
    while (!lines.some((l) => l.startsWith('tcp error:')) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 10));
  } finally {
    device.stop();
  }
  expect(lines.filter((l) => l.startsWith('tcp error:'))).toEqual(['tcp error: TCP: ECONNREFUSED']);
});
