import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_FILE, ConfigError, defaultConfig, loadConfig, parseConfig } from './config.js';

/** The issues parseConfig reports for `text` (fails the test if it accepts it). */
function issues(text: string): readonly string[] {
  try {
    parseConfig(text, '/projects/thermostat');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error(`accepted ${text}`);
}

describe('parseConfig', () => {
  it('accepts a full config', () => {
    const text = JSON.stringify({ target: 'moddable', entry: 'src/main.ts', board: 'esp32-devkitc', outDir: 'out', name: 'probe' });
    expect(parseConfig(text, '/projects/thermostat')).toEqual({
      target: 'moddable',
      entry: 'src/main.ts',
      board: 'esp32-devkitc',
      outDir: 'out',
      name: 'probe',
    });
  });

  it('fills in defaults and leaves target and board unset', () => {
    expect(parseConfig('{ "target": "espruino" }', '/projects/thermostat')).toEqual({
      target: 'espruino',
      entry: 'main.ts',
      outDir: 'build',
      name: 'thermostat',
    });
    expect(parseConfig('\uFEFF{}', '/projects/thermostat')).toEqual(defaultConfig('/projects/thermostat'));
  });

  it('derives a valid default name from the folder name', () => {
    expect(defaultConfig('/projects/my probe!').name).toBe('my-probe-');
    expect(defaultConfig('/projects/.hidden').name).toBe('hidden');
    expect(defaultConfig('/').name).toBe('app');
  });

  it('reports malformed JSON with its line and column', () => {
    expect(issues('{\n  "target": "moddable",\n  entry: "main.ts"\n}')).toEqual([
      `${CONFIG_FILE}: line 3, column 3: expected double-quoted property name`,
    ]);
    expect(issues('{\n  "target": "moddable",\n')).toEqual([`${CONFIG_FILE}: line 3, column 1: expected double-quoted property name`]);
    expect(issues('')).toEqual([`${CONFIG_FILE}: line 1, column 1: unexpected end`]);
    expect(issues('{}\n{}')).toEqual([`${CONFIG_FILE}: line 2, column 1: unexpected non-whitespace character after JSON`]);
  });

  it('reports an unknown target with the valid ones', () => {
    expect(issues('{ "target": "esp8266" }')).toEqual([`${CONFIG_FILE}: target: must be "espruino" or "moddable", got "esp8266"`]);
  });

  it('reports wrong types, one line per problem', () => {
    expect(issues('{ "target": 1, "entry": ["main.ts"], "board": null, "outDir": false, "name": {} }')).toEqual([
      `${CONFIG_FILE}: target: must be "espruino" or "moddable", got 1`,
      `${CONFIG_FILE}: entry: expected a string, got an array`,
      `${CONFIG_FILE}: board: expected a string, got null`,
      `${CONFIG_FILE}: outDir: expected a string, got a boolean`,
      `${CONFIG_FILE}: name: expected a string, got an object`,
    ]);
    expect(issues('[]')).toEqual([`${CONFIG_FILE}: (root): expected an object, got an array`]);
    expect(issues('"moddable"')).toEqual([`${CONFIG_FILE}: (root): expected an object, got a string`]);
  });

  it('rejects unknown keys, each on its own line', () => {
    expect(issues('{ "target": "moddable", "entrypoint": "main.ts", "out": "x" }')).toEqual([
      `${CONFIG_FILE}: entrypoint: unknown key (known keys: target, entry, board, outDir, name)`,
      `${CONFIG_FILE}: out: unknown key (known keys: target, entry, board, outDir, name)`,
    ]);
  });

  it('rejects empty paths and invalid names and board ids', () => {
    expect(issues('{ "entry": "", "outDir": "", "name": "my app", "board": "-x" }')).toEqual([
      `${CONFIG_FILE}: entry: must not be empty`,
      `${CONFIG_FILE}: board: "-x" is not valid: use letters, digits, ".", "_" or "-", starting with a letter or digit`,
      `${CONFIG_FILE}: outDir: must not be empty`,
      `${CONFIG_FILE}: name: "my app" is not valid: use letters, digits, ".", "_" or "-", starting with a letter or digit`,
    ]);
  });

  it('puts every issue in the error message, one per line', () => {
    expect(() => parseConfig('{ "target": "x", "y": 1 }', '/p')).toThrow(
      `${CONFIG_FILE}: target: must be "espruino" or "moddable", got "x"\n${CONFIG_FILE}: y: unknown key`,
    );
  });
});

describe('loadConfig', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'mote-config-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('returns the defaults when the project has no mote.config.json', async () => {
    const dir = path.join(root, 'bare');
    await mkdir(dir);
    expect(await loadConfig(dir)).toEqual({ entry: 'main.ts', outDir: 'build', name: 'bare' });
  });

  it('reads and validates the file', async () => {
    const dir = path.join(root, 'probe');
    await mkdir(dir);
    await writeFile(path.join(dir, CONFIG_FILE), '{ "target": "moddable", "board": "esp32" }');
    expect(await loadConfig(dir)).toEqual({ target: 'moddable', board: 'esp32', entry: 'main.ts', outDir: 'build', name: 'probe' });
    await writeFile(path.join(dir, CONFIG_FILE), '{ "target": "moddable", }');
    await expect(loadConfig(dir)).rejects.toThrow(`${CONFIG_FILE}: line 1, column 25: expected double-quoted property name`);
  });

  it('passes on read errors other than a missing file', async () => {
    const dir = path.join(root, 'folder-as-file');
    await mkdir(path.join(dir, CONFIG_FILE), { recursive: true });
    await expect(loadConfig(dir)).rejects.toThrow(/EISDIR/);
  });
});
