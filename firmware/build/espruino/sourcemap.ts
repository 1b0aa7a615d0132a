/**
 * Step 4 of the Espruino build: source maps. The lowered script's map (to esbuild's bundle) is
 * composed with esbuild's (bundle to the .ts sources) by tracing every mapping of the first
 * through the second, so a position in the final script maps to the original file:line.
 */
import { TraceMap, decodedMappings, encodedMappings, originalPositionFor, type SourceMapSegment } from '@jridgewell/trace-mapping';
import type { RawSourceMap } from './lower.js';

/**
 * `outer` maps the final script to the bundle, `inner` the bundle to the sources. `lineOffset`
 * lines (prepended helpers) come first in the final script and map to nothing.
 */
export function composeSourceMaps(outer: RawSourceMap, inner: RawSourceMap, lineOffset = 0, file?: string): RawSourceMap {
  const outerTrace = new TraceMap(outer);
  const innerTrace = new TraceMap(inner);
  const sources: string[] = [];
  const sourceIndex = new Map<string, number>();
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const contentOf = new Map<string, string | null>();
  inner.sources.forEach((s, i) => contentOf.set(innerTrace.resolvedSources[i], inner.sourcesContent?.[i] ?? null));

  const lines: SourceMapSegment[][] = [];
  for (let i = 0; i < lineOffset; i++) lines.push([]);
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
 * mapping at or before it on its line, a line's newline to its last mapping); the first
 * `helperLines` lines count as `<mote helpers>`, anything unmapped as `<lowering>`. Largest first.
 */
export function bytesBySource(code: string, map: RawSourceMap, helperLines: number): { path: string; bytes: number }[] {
  const totals = new Map<string, number>();
  const add = (path: string, text: string) => {
    if (text.length > 0) totals.set(path, (totals.get(path) ?? 0) + Buffer.byteLength(text, 'utf8'));
  };
  const decoded = decodedMappings(new TraceMap(map));
  const lines = code.split('\n');
  lines.forEach((text, i) => {
    const newline = i < lines.length - 1 ? '\n' : '';
    if (i < helperLines) return add('<mote helpers>', text + newline);
    const segs = decoded[i] ?? [];
    let at = 0;
    // Indentation belongs to the line's first mapping.
    const ownerOf = (seg: readonly number[]) => (seg.length === 1 ? '<lowering>' : map.sources[seg[1]] ?? '<lowering>');
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
