/**
 * buildEspruino: a TypeScript entry to one script Espruino 2v29 runs.
 *
 * 1. esbuild bundles the entry (iife, platform neutral, es2022: it lowers nothing, so every
 *    lowering below is TypeScript's, with mote's helpers) with a source map.
 * 2. TypeScript lowers the bundle to ES5, with mote's transforms (lower.ts).
 * 3. mote's helpers (helpers.ts) the lowered code names are prepended; TypeScript's are not used.
 * 4. The two source maps are composed: the result maps to the .ts sources (sourcemap.ts), and
 *    the helpers to themselves, as the source `<mote helpers>`.
 * 5. Optionally esbuild minifies the result (ES5 in, ES5 out), its map composed in turn.
 */
import path from 'node:path';
import { Parser } from 'acorn';
import { simple } from 'acorn-walk';
import { build, transform } from 'esbuild';
import { helperPrelude, helpers, unsupportedHelpers } from './helpers.js';
import { lower, type RawSourceMap } from './lower.js';
import { bytesBySource, composeSourceMaps } from './sourcemap.js';

export interface EspruinoBuildOptions {
  /** Source paths in the map are relative to this folder (default: the process's cwd). */
  cwd?: string;
  /** esbuild `define`: identifiers replaced by constant expressions. */
  define?: Record<string, string>;
  /** Keep comments (default false: Espruino keeps function source text in RAM). */
  comments?: boolean;
  /**
   * Minify the lowered script with esbuild (whitespace, identifiers, syntax; ES5 in, ES5 out):
   * about half the bytes, which Espruino keeps in RAM or flash. Default false.
   */
  minify?: boolean;
  /**
   * 'mote' (default): mote's helpers. 'typescript': TypeScript's own helpers and output, as it
   * emits them; does NOT run on Espruino (its __generator relies on hoisting), for comparison.
   */
  runtime?: 'mote' | 'typescript';
}

export interface EspruinoBuild {
  /** The script, helpers first. */
  code: string;
  /** Version 3 source map from `code` to the .ts sources. */
  map: RawSourceMap;
  /**
   * UTF-8 bytes of `code` by the source they came from (paths as in the map), largest first;
   * `<mote helpers>` is the prepended helpers, `<lowering>` code mapped to no source.
   */
  modules: { path: string; bytes: number }[];
}

/** Builds `entryFile` for Espruino. Rejects with esbuild's or TypeScript's message on errors. */
export async function buildEspruino(entryFile: string, options: EspruinoBuildOptions = {}): Promise<EspruinoBuild> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const bundled = await bundle(path.resolve(cwd, entryFile), cwd, options.define);
  const runtime = options.runtime ?? 'mote';
  const lowered = lower(bundled.code, 'bundle.js', { comments: options.comments, runtime });
  const prelude = runtime === 'mote' ? helperPrelude(helpersUsed(lowered.code)) : '';
  const file = path.basename(entryFile).replace(/\.[cm]?[jt]sx?$/, '.js');
  let code = prelude + lowered.code;
  let map = composeSourceMaps(lowered.map, bundled.map, { file, prefix: prelude === '' ? undefined : { source: HELPERS_SOURCE, content: prelude } });
  if (options.minify) {
    const minified = await transform(code, { minify: true, target: 'es5', loader: 'js', sourcemap: 'external', charset: 'utf8', legalComments: 'none', logLevel: 'silent' });
    code = minified.code;
    map = composeSourceMaps(JSON.parse(minified.map) as RawSourceMap, map, { file });
  }
  return { code, map, modules: bytesBySource(code, map) };
}

/** The helpers' name among the map's sources and in `modules`. */
const HELPERS_SOURCE = '<mote helpers>';

async function bundle(entry: string, cwd: string, define: Record<string, string> | undefined): Promise<{ code: string; map: RawSourceMap }> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: cwd,
    outfile: path.join(cwd, 'bundle.js'),
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    platform: 'neutral',
    // `mote/hal` and other packages pick their Espruino build (package.json `exports`).
    conditions: ['espruino'],
    mainFields: ['module', 'main'],
    sourcemap: 'external',
    sourcesContent: true,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
    define,
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  if (js === undefined || map === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return { code: js.text, map: JSON.parse(map.text) as RawSourceMap };
}

/**
 * The helpers the lowered code calls: `__name` identifiers it uses but does not declare. One it
 * needs that mote does not provide is an error, with the reason when it is known.
 */
function helpersUsed(code: string): Set<string> {
  const ast = Parser.parse(code, { ecmaVersion: 5, sourceType: 'script' });
  const declared = new Set<string>();
  const used = new Set<string>();
  simple(ast, {
    VariableDeclarator(node) {
      if (node.id.type === 'Identifier') declared.add(node.id.name);
    },
    FunctionDeclaration(node) {
      if (node.id !== null) declared.add(node.id.name);
    },
    Identifier(node) {
      if (/^__[A-Za-z]+$/.test(node.name)) used.add(node.name);
    },
  });
  const needed = new Set<string>();
  for (const name of used) {
    if (declared.has(name)) continue;
    if (helpers.has(name)) needed.add(name);
    else if (unsupportedHelpers.has(name)) throw new Error(`espruino lowering: ${name} is needed but ${unsupportedHelpers.get(name)}`);
    else throw new Error(`espruino lowering: the lowered code calls ${name}, which mote does not provide for Espruino`);
  }
  return needed;
}
