// `mote build`, through the built CLI (npm test builds dist/ first), in throwaway project folders.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runModulesOnXS } from '../../../firmware/host/xs/index.js';
import { readManifestModules } from '../../../firmware/build/moddable/index.js';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const projects: string[] = [];

afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** A project folder holding `files`. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-build-cli-'));
  projects.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function mote(cwd: string, ...args: string[]) {
  const child = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MOTE_DEBUG: '' } });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

const app = {
  'main.ts': "import { add } from './lib.js';\ndeclare const hostResult: (value: unknown) => void;\nhostResult(add(1, 2));\n",
  'lib.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
};

describe('mote build', () => {
  it('builds for moddable and prints the table; the output runs on XS', async () => {
    const dir = project(app);
    const { code, stdout, stderr } = mote(dir, 'build', '--target', 'moddable');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^moddable build of main\.ts into build: 2 modules, \d+ bytes, \d+ ms$/);
    const namespace = path.basename(dir);
    expect(lines.slice(1, 5).map((l) => l.trim().split(/\s+/)[0])).toEqual(['module', 'main', `${namespace}/lib`, 'total']);
    expect(lines).toContain('also written: manifest.json, 2 source maps');

    const { main, modules } = await readManifestModules(path.join(dir, 'build'));
    const { result } = await runModulesOnXS(Object.fromEntries(modules.map((m) => [m.name, m.source])), main);
    expect(result).toBe(3);
  });

  it('builds for espruino with --json, --out and --board', () => {
    const dir = project(app);
    const { code, stdout } = mote(dir, 'build', 'main.ts', '--target', 'espruino', '--out', 'out/esp', '--board', 'esp32-devkitc', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { target: string; entry: string; outDir: string; board: string; modules: { name: string; bytes: number }[]; totalBytes: number };
    expect(report).toMatchObject({ target: 'espruino', entry: 'main.ts', outDir: 'out/esp', board: 'esp32-devkitc' });
    expect(report.modules.map((m) => m.name)).toEqual(expect.arrayContaining(['main.ts', 'lib.ts']));
    const script = readFileSync(path.join(dir, 'out/esp/main.js'), 'utf8');
    expect(Buffer.byteLength(script)).toBe(report.totalBytes);
    expect(script).not.toMatch(/\b(import|export|const|let)\b|=>/);
    const map = JSON.parse(readFileSync(path.join(dir, 'out/esp/main.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.sort()).toEqual(['../../lib.ts', '../../main.ts']);
  });

  it('takes target, entry, outDir, board and name from mote.config.json; options override it', () => {
    const dir = project({
      ...app,
      'mote.config.json': JSON.stringify({ target: 'moddable', entry: 'main.ts', outDir: 'dist-fw', board: 'esp32-c3-devkitm-1', name: 'calc' }),
    });
    const fromConfig = mote(dir, 'build', '--json');
    expect(fromConfig.code).toBe(0);
    expect(JSON.parse(fromConfig.stdout)).toMatchObject({ target: 'moddable', outDir: 'dist-fw', board: 'esp32-c3-devkitm-1' });
    const manifest = JSON.parse(readFileSync(path.join(dir, 'dist-fw/manifest.json'), 'utf8')) as { modules: Record<string, unknown> };
    expect(Object.keys(manifest.modules)).toEqual(['*', 'calc/lib']);

    const overridden = mote(dir, 'build', 'lib.ts', '--target', 'espruino', '--out', 'esp', '--json');
    expect(overridden.code).toBe(0);
    expect(JSON.parse(overridden.stdout)).toMatchObject({ target: 'espruino', entry: 'lib.ts', outDir: 'esp', board: 'esp32-c3-devkitm-1' });
    expect(existsSync(path.join(dir, 'esp/lib.js'))).toBe(true);
  });

  it('needs a target, and a valid one (exit 2)', () => {
    const dir = project(app);
    const none = mote(dir, 'build');
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('mote: no target: pass --target espruino|moddable or set "target" in mote.config.json\n');
    const wrong = mote(dir, 'build', '--target', 'esp8266');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe('mote: --target must be espruino or moddable, got "esp8266"\n');
    expect(mote(dir, 'build', '--target', 'moddable', '--board', 'my board').code).toBe(2);
    const unknown = mote(dir, 'build', '--target', 'moddable', '--board', 'm5stack');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^mote: --board: unknown board "m5stack" \(known: esp32-/);
  });

  it('reports a bad mote.config.json, a missing entry and a build error (exit 1)', () => {
    const bad = project({ ...app, 'mote.config.json': '{ "target": "moddable", "entry": 3 }' });
    const config = mote(bad, 'build');
    expect(config.code).toBe(1);
    expect(config.stderr).toBe('mote: mote.config.json: entry: expected a string, got a number\n');

    const dir = project({ ...app, 'broken.ts': "import { nothing } from './nowhere.js';\nexport const x = nothing;\n" });
    const missing = mote(dir, 'build', 'nope.ts', '--target', 'moddable');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('mote: entry nope.ts not found\n');

    const failed = mote(dir, 'build', 'broken.ts', '--target', 'moddable');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^mote: build failed: .*broken\.ts:1:25: Could not resolve "\.\/nowhere\.js"\n$/);
  });
});
