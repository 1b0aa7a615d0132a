/**
 * Rewrites the module specifiers of an ES module (`import … from`, `export … from`,
 * `export * from`, `import(…)`) and keeps its source map exact: on each line, generated
 * columns after a rewritten specifier move by the change in its length.
 */
import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import { TraceMap, decodedMappings, encodedMappings, presortedDecodedMap } from '@jridgewell/trace-mapping';
import type { SourceMapSegment } from '@jridgewell/trace-mapping';

/** A source map as esbuild writes it. */
export interface SourceMapJson {
  version: 3;
  file?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

interface Edit {
  start: number;
  end: number;
  /** 0-based line and UTF-16 column of the literal's start, and of its end. */
  line: number;
  column: number;
  endColumn: number;
  text: string;
}

/**
 * Returns `code` with each specifier `spec` replaced by `rename(spec)` (a string literal made with
 * JSON.stringify), and `map` (if given) shifted to match. `rename` returns undefined to keep a
 * specifier, and throws to reject it. A dynamic `import()` whose argument is not a string literal
 * is reported through `onComputed` (its position as `line:column`, 1-based).
 */
export function rewriteSpecifiers(
  code: string,
  map: SourceMapJson | undefined,
  rename: (spec: string) => string | undefined,
  onComputed: (where: string) => void = () => {},
): { code: string; map: SourceMapJson | undefined } {
  const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  const edits: Edit[] = [];
  const visit = (source: unknown) => {
    const node = source as { type: string; value?: unknown; start: number; end: number; loc: { start: { line: number; column: number }; end: { column: number } } };
    if (node.type !== 'Literal' || typeof node.value !== 'string') {
      onComputed(`${node.loc.start.line}:${node.loc.start.column + 1}`);
      return;
    }
    const renamed = rename(node.value);
    if (renamed === undefined || renamed === node.value) return;
    const text = JSON.stringify(renamed);
    edits.push({ start: node.start, end: node.end, line: node.loc.start.line - 1, column: node.loc.start.column, endColumn: node.loc.end.column, text });
  };
  simple(ast, {
    ImportDeclaration: (n) => visit(n.source),
    ExportNamedDeclaration: (n) => n.source && visit(n.source),
    ExportAllDeclaration: (n) => visit(n.source),
    ImportExpression: (n) => visit(n.source),
  });
  if (edits.length === 0) return { code, map };
  edits.sort((a, b) => a.start - b.start);

  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += code.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  out += code.slice(at);
  return { code: out, map: map && shiftMap(map, edits) };
}

/** Moves generated columns that follow an edit on its line by the edit's change in length. */
function shiftMap(map: SourceMapJson, edits: Edit[]): SourceMapJson {
  const lines = decodedMappings(new TraceMap(map as never)).map((segments) => segments.map((s) => [...s] as SourceMapSegment));
  // Right to left, so each edit's columns, taken from the unshifted code, still find the
  // segments after it (those already moved by an edit further right stay after it).
  for (const edit of [...edits].reverse()) {
    const segments = lines[edit.line];
    if (!segments) continue;
    const delta = edit.text.length - (edit.endColumn - edit.column);
    for (const segment of segments) if (segment[0] >= edit.endColumn) segment[0] += delta;
  }
  const mappings = encodedMappings(presortedDecodedMap({ ...map, mappings: lines } as never));
  return { ...map, mappings };
}
