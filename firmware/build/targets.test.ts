import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFirmware } from './targets.js';

const fixture = fileURLToPath(new URL('./espruino/fixtures/unsupported', import.meta.url));

describe('buildFirmware for espruino runs the dialect checker', () => {
  it('fails on what Espruino lacks, naming the TypeScript line, and writes nothing', async () => {
    const outDir = path.join(mkdtempSync(path.join(tmpdir(), 'mote-build-')), 'out');
    const failure = buildFirmware({ target: 'espruino', entry: 'main.ts', outDir, name: 'app', cwd: fixture });
    await expect(failure).rejects.toThrow(/main\.ts:2:\d+: .*Map/);
    expect(existsSync(outDir)).toBe(false);
  });
});
