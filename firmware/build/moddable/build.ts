/**
 * buildModdable: TypeScript firmware → ES modules and a manifest.json for Moddable's mcconfig
 * and mcrun.
 *
 * XS implements the language nearly in full (about 99% of test262), so the build only strips
 * TypeScript: each source file becomes one `.js` module (esbuild, target esnext, not bundled:
 * classes, generators, class fields, async code stay as written). Moddable names modules by
 * specifier, not by path, so every relative import is rewritten to the name the manifest gives
 * the imported file; imports of the engine's own modules (`timer`, `embedded:io/digital`) are
 * kept. Each module gets a source map beside it, linked by a `//# sourceMappingURL` comment
 * (xsc reads it to point at the TypeScript).
 *
 * Output, for an entry `src/main.ts` importing `./lib/led.js`:
 *
 * ```
 * <outDir>/manifest.json      { "include": [...], "modules": { "*": ["./main"], "app/lib/led": "./app/lib/led" } }
 * <outDir>/main.js            import { blink } from "app/lib/led"; ...
 * <outDir>/main.js.map
 * <outDir>/app/lib/led.js
 * <outDir>/app/lib/led.js.map
 * ```
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Message, build } from 'esbuild';
import type { BuildReport, ModuleReport } from '../report.js';
import { BuildError, type ModuleNode, discoverModules, formatMessages } from './graph.js';
import { type ManifestOptions, includesFor, makeManifest } from './manifest.js';
import { type SourceMapJson, rewriteSpecifiers } from './rewrite.js';

export interface ModdableBuildOptions extends ManifestOptions {
  /**
   * The first part of every module name but the entry's (`<namespace>/lib/led`), keeping the
   * app's modules apart from the SDK's (`timer`, `time`, ...). Letters, digits, '.', '_', '-'.
   * Default 'app'.
   */
  namespace?: string;
  /** Write a source map beside each module. Default true. */
  sourcemap?: boolean;
}

const validNamespace = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Builds `entryFile` and the modules it imports into `outDir` (created if needed; files already
 * there are overwritten, others left alone) and writes `outDir/manifest.json`. Resolves with the
 * build report: each module's name, file and size, the total, the time taken.
 * Rejects with a BuildError (every problem, one per line) if the sources do not build.
 */
export async function buildModdable(entryFile: string, outDir: string, options: ModdableBuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  const { namespace = 'app', sourcemap = true } = options;
  if (!validNamespace.test(namespace)) {
    throw new BuildError(`namespace "${namespace}" must be letters, digits, ".", "_" or "-", starting with a letter, digit or "_"`);
  }
  const graph = await discoverModules(entryFile, namespace);
  const out = path.resolve(outDir);
  const emitted = await stripTypes(graph.modules, out, sourcemap);

  const byFile = new Map(graph.modules.map((m) => [m.file, m]));
  const problems: string[] = [];
  const files: { relative: string; text: string }[] = [];
  const modules: ModuleReport[] = [];
  for (const node of graph.modules) {
    const { code, map } = emitted.get(node.name)!;
    const shown = path.relative(process.cwd(), node.file);
    const rewritten = rewriteSpecifiers(
      code,
      map,
      (spec) => {
        const target = node.imports.get(spec);
        if (target === undefined) {
          problems.push(`${shown}: import "${spec}" is not in the module graph`);
          return undefined;
        }
        return target.kind === 'external' ? undefined : byFile.get(target.file)!.name;
      },
      (where) => problems.push(`${shown} (output ${where}): import() of a computed specifier cannot be given a module name`),
    );
    const relative = `${node.name}.js`;
    let text = rewritten.code;
    if (rewritten.map) {
      const mapName = `${path.posix.basename(node.name)}.js.map`;
      text = `${text.endsWith('\n') ? text : `${text}\n`}//# sourceMappingURL=${mapName}\n`;
      files.push({ relative: `${relative}.map`, text: JSON.stringify({ ...rewritten.map, file: path.posix.basename(relative) }) });
    }
    files.push({ relative, text });
    modules.push({ name: node.name, file: relative, bytes: Buffer.byteLength(text) });
  }
  if (problems.length > 0) throw new BuildError(problems.join('\n'));

  const manifest = makeManifest(
    graph.modules.map((m) => m.name),
    { ...options, include: options.include ?? includesFor(graph.externals) },
  );
  files.push({ relative: 'manifest.json', text: `${JSON.stringify(manifest, null, 2)}\n` });
  for (const file of files) {
    const target = path.join(out, ...file.relative.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.text);
  }

  return {
    target: 'moddable',
    entry: entryFile,
    outDir,
    modules,
    totalBytes: modules.reduce((sum, m) => sum + m.bytes, 0),
    ms: Math.round(performance.now() - started),
    otherFiles: ['manifest.json', ...files.filter((f) => f.relative.endsWith('.map')).map((f) => f.relative)],
    externals: graph.externals,
  };
}

/** Each module's source with TypeScript stripped (and its source map), by module name. */
async function stripTypes(
  modules: ModuleNode[],
  outDir: string,
  sourcemap: boolean,
): Promise<Map<string, { code: string; map: SourceMapJson | undefined }>> {
  let result;
  try {
    result = await build({
      entryPoints: modules.map((m) => ({ in: m.file, out: m.name })),
      outdir: outDir,
      bundle: false,
      write: false,
      format: 'esm',
      target: 'esnext',
      platform: 'neutral',
      sourcemap: sourcemap ? 'external' : false,
      sourcesContent: true,
      charset: 'utf8',
      logLevel: 'silent',
    });
  } catch (error) {
    const failure = error as { errors?: Message[] };
    throw new BuildError(failure.errors ? formatMessages(failure.errors) : String(error));
  }
  const texts = new Map(result.outputFiles.map((f) => [f.path, f.text]));
  const emitted = new Map<string, { code: string; map: SourceMapJson | undefined }>();
  for (const m of modules) {
    const js = path.join(outDir, `${m.name}.js`);
    const code = texts.get(js);
    if (code === undefined) throw new BuildError(`esbuild wrote no output for ${m.file}`);
    const map = texts.get(`${js}.map`);
    emitted.set(m.name, { code, map: map === undefined ? undefined : (JSON.parse(map) as SourceMapJson) });
  }
  return emitted;
}
