// `mote init` from the built CLI (run `npm run build` first): the new project type-checks with
// its own tsconfig.json (mote reached through node_modules/mote, as `npm install` links a file:
// dependency), builds for both targets with its mote.config.json, and its app runs on a live
// Espruino device, blinking the LED.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EspruinoDevice } from '../../../firmware/host/espruino/device.js';
import { packageFile, packageRoot } from '../../lib/paths.js';

const work = mkdtempSync(path.join(tmpdir(), 'mote-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cwd: string, command: string, ...args: string[]) {
  const child = spawnSync(process.execPath, [command, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MOTE_DEBUG: '' } });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}
const mote = (cwd: string, ...args: string[]) => run(cwd, packageFile('scripts/bin/mote.js'), ...args);

describe('mote init', () => {
  it('writes a project that type-checks, builds for Espruino and Moddable, and blinks on a live device', async () => {
    const created = mote(work, 'init', 'blinky', '--json');
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'blinky', target: 'espruino', files: expect.arrayContaining(['src/main.ts', 'hil-tests/app/main.ts', '.github/workflows/ci.yml']) });
    const project = path.join(work, 'blinky');
    const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8'));
    expect(manifest.devDependencies.mote).toBe(`file:${path.relative(project, packageRoot())}`);
    expect(readFileSync(path.join(project, '.github/workflows/ci.yml'), 'utf8')).toContain('npx mote hil --virtual');
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(packageRoot(), path.join(project, 'node_modules', 'mote'));

    const types = run(project, packageFile('node_modules/typescript/bin/tsc'), '-p', '.');
    expect(types.stdout + types.stderr).toBe('');
    expect(types.status).toBe(0);

    for (const target of ['espruino', 'moddable']) {
      const build = mote(project, 'build', '--target', target, '--out', `build/${target}`, '--json');
      expect(build.stderr).toBe('');
      expect(build.status).toBe(0);
    }
    expect(readFileSync(path.join(project, 'build/moddable/manifest.json'), 'utf8')).toContain('"./main"');

    const device = new EspruinoDevice({ board: { stimuli: [{ at: 0, pin: 0, level: 1 }] } });
    try {
      device.load(readFileSync(path.join(project, 'build/espruino/main.js'), 'utf8'));
      await new Promise((resolve) => setTimeout(resolve, 1700));
      expect(device.output).toContain('blinky: started');
      expect(device.board!.changes.filter((c) => c.pin === 2).map((c) => c.level).slice(0, 3)).toEqual([1, 0, 1]);
    } finally {
      device.stop();
    }
  });

  it('refuses a folder that is not empty, and a name that is not one', () => {
    const full = path.join(work, 'full');
    mkdirSync(full);
    writeFileSync(path.join(full, 'notes.txt'), 'mine');
    const refused = mote(work, 'init', 'full');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe('mote: full is not empty: mote init writes a new project into an empty or new folder\n');
    expect(readFileSync(path.join(full, 'notes.txt'), 'utf8')).toBe('mine');
    const badName = mote(work, 'init', 'x', '--name', '-bad');
    expect(badName.status).toBe(2);
    expect(badName.stderr).toMatch(/the project name '-bad' must be letters/);
    expect(mote(work, 'init', 'y', '--target', 'arduino').status).toBe(2);
  });
});
