/**
 * decodeTrace: maps the script positions in an error trace printed by a device back to the
 * TypeScript they were built from, using the build's source maps.
 *
 * Positions it recognises, with 1-based lines and columns as the engines print them:
 * - Espruino's `at name (file:line:col)`, where `file` is empty for code sent to the REPL;
 * - a bare `file.js:line:col`.
 * Each recognised position is followed by ` -> source.ts:line:col`; the rest of the text is kept.
 */
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';

export interface DecodeMaps {
  /** Maps by the script's file name as the device prints it (e.g. "main.js"). */
  byFile: Record<string, object>;
  /** The map for positions printed without a file name; when omitted, the only map given. */
  fallback?: object;
}

export interface DecodedPosition {
  file: string;
  line: number;
  column: number;
  source: { file: string; line: number; column: number } | null;
}

const position = /(\(([^()\s:]*):(\d+):(\d+)\))|(\b([\w./-]+\.js):(\d+):(\d+)\b)/g;

export function decodeTrace(text: string, maps: DecodeMaps): { text: string; positions: DecodedPosition[] } {
  const traces: Record<string, TraceMap> = {};
  const files = Object.keys(maps.byFile);
  const fallback = maps.fallback ?? (files.length === 1 ? maps.byFile[files[0]] : undefined);
  const traceFor = (file: string): TraceMap | undefined => {
    const map = file === '' ? fallback : (maps.byFile[file] ?? maps.byFile[file.split('/').pop() as string]);
    if (map === undefined) return undefined;
    const key = file === '' ? '' : file;
    if (traces[key] === undefined) traces[key] = new TraceMap(map as ConstructorParameters<typeof TraceMap>[0]);
    return traces[key];
  };
  const positions: DecodedPosition[] = [];
  const out = text.replace(position, (match, _p, pFile, pLine, pCol, _b, bFile, bLine, bCol) => {
    const file = (pFile ?? bFile ?? '') as string;
    const line = Number(pLine ?? bLine);
    const column = Number(pCol ?? bCol);
    const trace = traceFor(file);
    const found = trace === undefined ? null : originalPositionFor(trace, { line, column: column - 1 });
    const source = found !== null && found.source !== null && found.line !== null && found.column !== null
      ? { file: found.source, line: found.line, column: found.column + 1 }
      : null;
    positions.push({ file, line, column, source });
    return source === null ? match : `${match} -> ${source.file}:${source.line}:${source.column}`;
  });
  return { text: out, positions };
}
