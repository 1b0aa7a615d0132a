import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeTrace } from './decode.js';
import { buildFirmware } from './targets.js';

const fixture = fileURLToPath(new URL('./espruino/fixtures/throws', import.meta.url));

/** 1-based line and column of `needle` in `code`, as Espruino prints positions. */
function locate(code: string, needle: string): [number, number] {
  const at = code.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  const before = code.slice(0, at).split('\n');
  return [before.length, before[before.length - 1].length + 1];
}

describe('decodeTrace', () => {
  it("maps an Espruino trace of a built script back to the TypeScript lines", async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'mote-decode-'));
    await buildFirmware({ target: 'espruino', entry: 'main.ts', outDir, name: 'app', cwd: fixture, minify: false });
    const code = readFileSync(path.join(outDir, 'main.js'), 'utf8');
    const map = JSON.parse(readFileSync(path.join(outDir, 'main.js.map'), 'utf8')) as object;
    const [tl, tc] = locate(code, 'throw new Error(');
    const [cl, cc] = locate(code, 'check(i)');
    const trace = `Uncaught Error: boom: value too large\n at check (:${tl}:${tc})\n at [raw] (:${cl}:${cc})\n`;
    const decoded = decodeTrace(trace, { byFile: { 'main.js': map } });
    const lines = decoded.text.split('\n');
    expect(lines[0]).toBe('Uncaught Error: boom: value too large');
    expect(lines[1]).toMatch(new RegExp(`^ at check \\(:${tl}:${tc}\\) -> .*main\\.ts:3:\\d+$`));
    expect(lines[2]).toMatch(new RegExp(`^ at \\[raw\\] \\(:${cl}:${cc}\\) -> .*main\\.ts:7:\\d+$`));
    expect(decoded.positions.map((p) => p.source?.line)).toEqual([3, 7]);
  });

  it('maps a position in the default, minified build too', async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'mote-decode-min-'));
    await buildFirmware({ target: 'espruino', entry: 'main.ts', outDir, name: 'app', cwd: fixture });
    const code = readFileSync(path.join(outDir, 'main.js'), 'utf8');
    const map = JSON.parse(readFileSync(path.join(outDir, 'main.js.map'), 'utf8')) as object;
    const [tl, tc] = locate(code, 'throw new Error(');
    const decoded = decodeTrace(`Uncaught Error: boom\n at n (:${tl}:${tc})`, { byFile: { 'main.js': map } });
    expect(decoded.positions[0].source?.line).toBe(3);
  });

  it('leaves positions it cannot map untouched, and maps bare file.js:line:col', () => {
    const map = { version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA' };
    const decoded = decodeTrace('at x (other.js:1:1)\nmain.js:1:1 failed\nno positions here', { byFile: { 'main.js': map } });
    expect(decoded.text).toBe('at x (other.js:1:1)\nmain.js:1:1 -> a.ts:1:1 failed\nno positions here');
    expect(decoded.positions.map((p) => p.source)).toEqual([null, { file: 'a.ts', line: 1, column: 1 }]);
  });
});
