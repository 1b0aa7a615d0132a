/**
 * What a build reports, for both targets: the modules it wrote and their sizes, the total, and
 * how long it took; `formatReport` for people, `reportJson` for scripts (`mote build --json`).
 */
import type { Target } from './config.js';

export interface ModuleReport {
  /** The module's name on the engine (Moddable: its specifier in manifest.json). */
  name: string;
  /** The file written, relative to the output folder, '/'-separated. */
  file: string;
  /** Its size in bytes (UTF-8), as written (source map comment included, source map not). */
  bytes: number;
}

export interface BuildReport {
  target: Target;
  /** The entry module, as given to the build. */
  entry: string;
  /** The output folder, as given to the build. */
  outDir: string;
  /** The board built for, when one was named. */
  board?: string;
  /** Every module written, the entry first, then by name. */
  modules: ModuleReport[];
  /** The sum of the modules' bytes. */
  totalBytes: number;
  /** Wall-clock time of the build, in milliseconds (whole). */
  ms: number;
  /** Other files written (manifest, source maps), relative to the output folder. */
  otherFiles: string[];
  /** Imports left for the engine to provide (Moddable modules such as "timer"), sorted. */
  externals: string[];
}

/** The report as plain JSON data, keys in a fixed order. */
export function reportJson(report: BuildReport): BuildReport {
  return {
    target: report.target,
    entry: report.entry,
    outDir: report.outDir,
    ...(report.board === undefined ? {} : { board: report.board }),
    modules: report.modules.map(({ name, file, bytes }) => ({ name, file, bytes })),
    totalBytes: report.totalBytes,
    ms: report.ms,
    otherFiles: [...report.otherFiles],
    externals: [...report.externals],
  };
}

/**
 * The report as a table:
 *
 * ```
 * moddable build of src/main.ts into build: 3 modules, 2480 bytes, 41 ms
 *   module        bytes
 *   main            310
 *   app/lib/led    2170
 *   total          2480
 * also written: manifest.json, 2 source maps
 * left to the engine: timer
 * ```
 */
export function formatReport(report: BuildReport): string {
  const count = `${report.modules.length} module${report.modules.length === 1 ? '' : 's'}`;
  const board = report.board === undefined ? '' : ` for board ${report.board}`;
  const lines = [`${report.target} build of ${report.entry}${board} into ${report.outDir}: ${count}, ${report.totalBytes} bytes, ${report.ms} ms`];
  const rows: [string, string][] = [
    ['module', 'bytes'],
    ...report.modules.map((m): [string, string] => [m.name, String(m.bytes)]),
    ['total', String(report.totalBytes)],
  ];
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  const bytesWidth = Math.max(...rows.map(([, bytes]) => bytes.length));
  for (const [name, bytes] of rows) lines.push(`  ${name.padEnd(nameWidth)}  ${bytes.padStart(bytesWidth)}`);
  const maps = report.otherFiles.filter((f) => f.endsWith('.map')).length;
  const also = report.otherFiles.filter((f) => !f.endsWith('.map'));
  if (maps > 0) also.push(maps === 1 ? '1 source map' : `${maps} source maps`);
  if (also.length > 0) lines.push(`also written: ${also.join(', ')}`);
  if (report.externals.length > 0) lines.push(`left to the engine: ${report.externals.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
