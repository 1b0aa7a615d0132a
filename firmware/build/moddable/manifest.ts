/**
 * Moddable's `manifest.json`, the input of its `mcconfig` and `mcrun` tools (see
 * documentation/tools/manifest.md in the Moddable SDK), limited to the properties mote writes:
 *
 * - `include`: other manifests to combine with this one, `$(MODDABLE)`-style paths;
 * - `modules`: module specifier → source path without extension, relative to the manifest
 *   (mcconfig matches `.js` there). `"*": ["./main"]` names a module by its file name;
 * - `preload`: module specifiers run at build time into the read-only XS machine;
 * - `creation`: the XS machine's allocation (`static`, `chunk`, `heap`, `stack`, `keys`, `main`);
 * - `defines`: C #defines for native code;
 * - `config`: values scripts read with `import config from "mc/config"`.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const paths = z.union([z.string(), z.array(z.string())]);

export const manifestSchema = z.strictObject({
  include: paths.optional(),
  modules: z.record(z.string(), paths),
  preload: z.array(z.string()).optional(),
  creation: z.record(z.string(), z.unknown()).optional(),
  defines: z.record(z.string(), z.unknown()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** What a build may add to the manifest besides its modules. */
export interface ManifestOptions {
  /** Default: `["$(MODDABLE)/examples/manifest_base.json"]`, which every Moddable example includes (timers, instrumentation, a `creation` that fits most apps). `[]` for none. */
  include?: string[];
  preload?: string[];
  creation?: Record<string, unknown>;
  defines?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export const DEFAULT_INCLUDE = ['$(MODDABLE)/examples/manifest_base.json'];

/**
 * The Moddable SDK manifest that provides each engine module an app may import, beyond
 * manifest_base's (`timer`, `time`, ...): the ECMA-419 IO classes, the network stack (Wi-Fi, net,
 * sockets: manifest_net), TLS sockets, preferences, ESP32 OTA and flash partitions.
 */
const ENGINE_MANIFESTS: { test: RegExp; include: string }[] = [
  { test: /^embedded:io\//, include: '$(MODDABLE)/modules/io/manifest.json' },
  { test: /^(wifi|net|socket)$/, include: '$(MODDABLE)/examples/manifest_net.json' },
  { test: /^securesocket$/, include: '$(MODDABLE)/modules/crypt/tls.json' },
  { test: /^preference$/, include: '$(MODDABLE)/modules/files/preference/manifest.json' },
  { test: /^ota$/, include: '$(MODDABLE)/build/devices/esp32/modules/ota/manifest.json' },
  { test: /^flash$/, include: '$(MODDABLE)/modules/files/flash/manifest.json' },
];

/** DEFAULT_INCLUDE plus the manifests providing the engine modules `externals` names, in that order, once each. */
export function includesFor(externals: readonly string[]): string[] {
  const include = [...DEFAULT_INCLUDE];
  for (const { test, include: manifest } of ENGINE_MANIFESTS) {
    if (externals.some((spec) => test.test(spec)) && !include.includes(manifest)) include.push(manifest);
  }
  return include;
}

/** The manifest for modules written at `<outDir>/<name>.js`; `main` goes in `"*"`, the others by name. */
export function makeManifest(names: readonly string[], options: ManifestOptions = {}): Manifest {
  const modules: Record<string, string | string[]> = {};
  if (names.includes('main')) modules['*'] = ['./main'];
  for (const name of names) if (name !== 'main') modules[name] = `./${name}`;
  const manifest: Manifest = { include: options.include ?? DEFAULT_INCLUDE, modules };
  if (manifest.include?.length === 0) delete manifest.include;
  if (options.preload !== undefined) manifest.preload = options.preload;
  if (options.creation !== undefined) manifest.creation = options.creation;
  if (options.defines !== undefined) manifest.defines = options.defines;
  if (options.config !== undefined) manifest.config = options.config;
  return manifest;
}

/** A module of a manifest: its specifier, file and text. */
export interface ManifestModule {
  name: string;
  file: string;
  source: string;
}

/**
 * Reads `dir/manifest.json` as mcconfig would for its own JavaScript modules: each `modules`
 * entry's path (relative to the manifest, `.js` added) under its key, or under its file name for
 * `"*"`; a `name/*` key with a `path/*` value takes every `.js` file in `path`. Paths that use
 * `$(…)` variables name SDK modules and are skipped. Returns the modules and the specifier of the
 * one to run first (`creation.main`, default "main").
 */
export async function readManifestModules(dir: string): Promise<{ manifest: Manifest; main: string; modules: ManifestModule[] }> {
  const manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
  const modules: ManifestModule[] = [];
  const add = async (name: string, relative: string) => {
    const file = path.resolve(dir, `${relative}.js`);
    modules.push({ name, file, source: await readFile(file, 'utf8') });
  };
  /** The .js files of a folder, by name without extension. */
  const scripts = async (folder: string) =>
    (await readdir(path.resolve(dir, folder))).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
  for (const [key, value] of Object.entries(manifest.modules)) {
    if (key === '~') continue;
    for (const source of typeof value === 'string' ? [value] : value) {
      if (source.includes('$(')) continue;
      const wildcard = source.endsWith('/*');
      if (key === '*') {
        if (!wildcard) await add(path.posix.basename(source), source);
        else for (const name of await scripts(source.slice(0, -2))) await add(name, `${source.slice(0, -2)}/${name}`);
      } else if (key.endsWith('/*') !== wildcard) {
        throw new Error(`manifest.json: modules: "${key}": "${source}": both or neither must end in /*`);
      } else if (wildcard) {
        for (const name of await scripts(source.slice(0, -2))) await add(`${key.slice(0, -1)}${name}`, `${source.slice(0, -2)}/${name}`);
      } else await add(key, source);
    }
  }
  const main = manifest.creation?.main;
  return { manifest, main: typeof main === 'string' ? main : 'main', modules };
}
