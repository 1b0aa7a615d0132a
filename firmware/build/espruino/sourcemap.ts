/**
 * Step 4 of the Espruino build: source maps. The lowered script's map (to esbuild's bundle) is
 * composed with esbuild's (bundle to the .ts sources) by tracing every mapping of the first
 * through the second, so a position in the final script maps to the original file:line.
 */
import { TraceMap, decodedMappings, encodedMappings, originalPositionFor, type SourceMapSegment } from '@jridgewell/trace-mapping';
import type { RawSourceMap } from './lower.js';

/** Text prepended to the script that the map should cover as a source of its own. */
export interface Prefix {
  /** Its name among the map's sources, e.g. `<mote helpers>`. */
  source: string;
  /** Its text, one map line per line. */
  content: string;
}

/**
 * `outer` maps a script to an intermediate one, `inner` that one to the sources; the result maps
 * the script to the sources. A `prefix` comes first in the script (before what `outer` maps) and
 * maps line for line to itself.
 */
export function composeSourceMaps(outer: RawSourceMap, inner: RawSourceMap, options: { prefix?: Prefix; file?: string } = {}): RawSourceMap {
  const { prefix, file } = options;
  const outerTrace = new TraceMap(outer);
  const innerTrace = new TraceMap(inner);
  const sources: string[] = [];
  const sourceIndex = new Map<string, number>();
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const contentOf = new Map<string, string | null>();
  inner.sources.forEach((s, i) => contentOf.set(innerTrace.resolvedSources[i], inner.sourcesContent?.[i] ?? null));

  const lines: SourceMapSegment[][] = [];
  if (prefix !== undefined) {
    sources.push(prefix.source);
    sourceIndex.set(prefix.source, 0);
    contentOf.set(prefix.source, prefix.content);
    const count = prefix.content.split('\n').length - (prefix.content.endsWith('\n') ? 1 : 0);
    for (let i = 0; i < count; i++) lines.push([[0, 0, i, 0]]);
  }
  for (const line of decodedMappings(outerTrace)) {
    const out: SourceMapSegment[] = [];
    for (const seg of line) {
      if (seg.length === 1) continue;
      const pos = originalPositionFor(innerTrace, { line: seg[2] + 1, column: seg[3] });
      if (pos.source === null) continue;
      let si = sourceIndex.get(pos.source);
      if (si === undefined) {
        si = sources.length;
        sources.push(pos.source);
        sourceIndex.set(pos.source, si);
      }
      if (pos.name !== null) {
        let ni = nameIndex.get(pos.name);
        if (ni === undefined) {
          ni = names.length;
          names.push(pos.name);
          nameIndex.set(pos.name, ni);
        }
        out.push([seg[0], si, pos.line - 1, pos.column, ni]);
      } else {
        out.push([seg[0], si, pos.line - 1, pos.column]);
      }
    }
    lines.push(out);
  }
  const map = new TraceMap({ version: 3, file, sources, names, mappings: lines });
  return {
    version: 3,
    ...(file === undefined ? {} : { file }),
    sources,
    sourcesContent: sources.map((s) => contentOf.get(s) ?? null),
    names,
    mappings: encodedMappings(map),
  };
}

/**
 * UTF-8 bytes of `code` by the source each character maps to (a character belongs to the
 * mapping at or before it on its line, indentation to the line's first mapping, a newline to
 * the line's last); code mapped to no source counts as `<lowering>`. Largest first.
 */
export function bytesBySource(code: string, map: RawSourceMap): { path: string; bytes: number }[] {
  const totals = new Map<string, number>();
  const add = (path: string, text: string) => {
    if (text.length > 0) totals.set(path, (totals.get(path) ?? 0) + Buffer.byteLength(text, 'utf8'));
  };
  const ownerOf = (seg: readonly number[]) => (seg.length === 1 ? '<lowering>' : map.sources[seg[1]] ?? '<lowering>');
  const decoded = decodedMappings(new TraceMap(map));
  const lines = code.split('\n');
  lines.forEach((text, i) => {
    const newline = i < lines.length - 1 ? '\n' : '';
    const segs = decoded[i] ?? [];
    let at = 0;
    let owner = segs.length > 0 ? ownerOf(segs[0]) : '<lowering>';
    for (const seg of segs) {
      add(owner, text.slice(at, seg[0]));
      at = Math.max(at, seg[0]);
      owner = ownerOf(seg);
    }
    add(owner, text.slice(at) + newline);
  });
  return [...totals].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
}
