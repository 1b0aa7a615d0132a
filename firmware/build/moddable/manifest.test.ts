import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INCLUDE, makeManifest, manifestSchema, readManifestModules } from './manifest.js';

describe('makeManifest', () => {
  it('puts main under "*" and names the other modules, including manifest_base.json by default', () => {
    expect(makeManifest(['main', 'app/a', 'app/b/c'])).toEqual({
      include: DEFAULT_INCLUDE,
      modules: { '*': ['./main'], 'app/a': './app/a', 'app/b/c': './app/b/c' },
    });
    expect(makeManifest(['main'], { include: [] })).toEqual({ modules: { '*': ['./main'] } });
  });
});

describe('manifestSchema', () => {
  it('takes the properties mote writes and refuses others or wrong shapes', () => {
    expect(manifestSchema.safeParse({ include: '$(MODDABLE)/x.json', modules: { '*': './main' }, preload: ['a'] }).success).toBe(true);
    expect(manifestSchema.safeParse({ modules: { '*': 3 } }).success).toBe(false);
    expect(manifestSchema.safeParse({ modules: {}, resources: {} }).success).toBe(false);
    expect(manifestSchema.safeParse({ include: [] }).success).toBe(false);
  });
});

describe('readManifestModules', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mote-manifest-'));
    await mkdir(path.join(dir, 'lib'));
    await mkdir(path.join(dir, 'drivers'));
    for (const [file, text] of Object.entries({
      'start.js': 'export {};',
      'lib/a.js': 'export const a = 1;',
      'lib/b.js': 'export const b = 2;',
      'lib/notes.txt': 'not a module',
      'drivers/led.js': 'export default 1;',
      'drivers/button.js': 'export default 2;',
      'solo.js': 'export const solo = 3;',
    })) {
      await writeFile(path.join(dir, file), text);
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names modules as mcconfig does and skips the SDK paths', async () => {
    await writeFile(
      path.join(dir, 'manifest.json'),
      JSON.stringify({
        include: DEFAULT_INCLUDE,
        modules: {
          '*': ['./start', './lib/*', '$(MODULES)/base/timer/*'],
          'drivers/*': './drivers/*',
          'my/solo': './solo',
          '~': ['./lib/notes'],
        },
        creation: { main: 'start' },
      }),
    );
    const { main, modules } = await readManifestModules(dir);
    expect(main).toBe('start');
    expect(modules.map((m) => [m.name, path.relative(dir, m.file)])).toEqual([
      ['start', 'start.js'],
      ['a', path.join('lib', 'a.js')],
      ['b', path.join('lib', 'b.js')],
      ['drivers/button', path.join('drivers', 'button.js')],
      ['drivers/led', path.join('drivers', 'led.js')],
      ['my/solo', 'solo.js'],
    ]);
    expect(modules[0].source).toBe('export {};');
  });

  it('refuses a wildcard on one side only', async () => {
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ modules: { 'drivers/*': './drivers/led' } }));
    await expect(readManifestModules(dir)).rejects.toThrow('both or neither must end in /*');
  });
});

describe('includesFor', () => {
  it('adds the SDK manifests that provide the engine modules an app imports, once each', async () => {
    const { includesFor } = await import('./manifest.js');
    expect(includesFor([])).toEqual(DEFAULT_INCLUDE);
    expect(includesFor(['embedded:io/digital', 'embedded:io/i2c', 'timer', 'socket', 'wifi', 'securesocket', 'preference'])).toEqual([
      ...DEFAULT_INCLUDE,
      '$(MODDABLE)/modules/io/manifest.json',
      '$(MODDABLE)/examples/manifest_net.json',
      '$(MODDABLE)/modules/crypt/tls.json',
      '$(MODDABLE)/modules/files/preference/manifest.json',
    ]);
  });
});
