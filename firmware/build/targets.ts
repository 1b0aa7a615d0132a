/**
 * buildFirmware: one call for either target, writing the output and returning a BuildReport
 * (what `mote build` runs).
 *
 * - moddable: buildModdable's modules and manifest.json (see docs/moddable-build.md); the
 *   project's `name` is the module namespace.
 * - espruino: buildEspruino's single script, checked by checkDialect (a problem fails the build,
 *   naming the TypeScript line; nothing is written), written as `<outDir>/<entry name>.js` with its source
 *   map beside it (no sourceMappingURL comment: Espruino keeps the script's text in RAM). The
 *   report's "modules" are the sources the script's bytes come from, largest first.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Target } from './config.js';
import { checkDialect } from './espruino/dialect.js';
import { buildEspruino } from './espruino/index.js';
import { BuildError } from './moddable/graph.js';
import { buildModdable } from './moddable/index.js';
import type { BuildReport } from './report.js';

export interface FirmwareBuild {
  target: Target;
  /** The entry module, relative to `cwd` or absolute. */
  entry: string;
  /** The output folder, relative to `cwd` or absolute. */
  outDir: string;
  /** The project's name (mote.config.json `name`). */
  name: string;
  /** The board id, recorded in the report. */
  board?: string;
  /** The project folder. Default: the process's working folder. */
  cwd?: string;
  /**
   * Espruino: minify the script (default true). Espruino keeps a script's text in its variable
   * memory and re-reads it as it runs, so fewer bytes mean more free RAM and faster code.
   */
  minify?: boolean;
}

/** Builds the firmware for its target into `outDir` and reports what was written. */
export async function buildFirmware(request: FirmwareBuild): Promise<BuildReport> {
  const cwd = path.resolve(request.cwd ?? process.cwd());
  const entry = path.resolve(cwd, request.entry);
  const outDir = path.resolve(cwd, request.outDir);
  const report =
    request.target === 'moddable'
      ? await buildModdable(entry, outDir, { namespace: request.name })
      : await espruino(entry, outDir, cwd, request.minify ?? true);
  const shown = { ...report, entry: request.entry, outDir: request.outDir };
  return request.board === undefined ? shown : { ...shown, board: request.board };
}

async function espruino(entry: string, outDir: string, cwd: string, minify: boolean): Promise<BuildReport> {
  const started = performance.now();
  const built = await buildEspruino(entry, { cwd, minify });
  // Every Espruino build is checked against the measured 2v29 dialect before anything is
  // written; each problem names the TypeScript file:line it comes from.
  const problems = checkDialect(built.code, { sourceMap: built.map });
  if (problems.length > 0) {
    const list = problems.map((p) => `  ${p.message}`).join('\n');
    throw new BuildError(`the code uses ${problems.length} thing(s) Espruino 2v29 cannot run:\n${list}`);
  }
  await mkdir(outDir, { recursive: true });
  const file = `${path.basename(entry).replace(/\.[cm]?[jt]sx?$/, '')}.js`;
  // The map's sources are relative to the project folder; the map is read from outDir.
  const toOut = (source: string) => path.relative(outDir, path.resolve(cwd, source)).split(path.sep).join('/');
  const map = { ...built.map, sources: built.map.sources.map(toOut) };
  await writeFile(path.join(outDir, file), built.code);
  await writeFile(path.join(outDir, `${file}.map`), JSON.stringify(map));
  return {
    target: 'espruino',
    entry,
    outDir,
    modules: built.modules.map((m) => ({ name: m.path, file, bytes: m.bytes })),
    totalBytes: Buffer.byteLength(built.code),
    ms: Math.round(performance.now() - started),
    otherFiles: [`${file}.map`],
    externals: [],
  };
}
