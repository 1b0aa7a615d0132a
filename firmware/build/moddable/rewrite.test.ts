import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type SourceMapJson, rewriteSpecifiers } from './rewrite.js';

const source = [
  "import { a } from './a.js';",
  "export * from './long/path/b.js';",
  "export { c } from 'timer';",
  "Promise.all([import('./x.js'), import('./much/longer/y.js'), import('./z.js')]).then((all: unknown[]) => a(all));",
  '',
].join('\n');

const names: Record<string, string> = {
  './a.js': 'app/a',
  './long/path/b.js': 'b',
  './x.js': 'app/some/x',
  './much/longer/y.js': 'y',
  './z.js': 'app/z',
};

async function compiled() {
  const out = await transform(source, { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: 'main.ts' });
  return { code: out.code, map: JSON.parse(out.map) as SourceMapJson };
}

/** Where in main.ts the generated text at the first occurrence of `needle` comes from. */
function origin(code: string, map: SourceMapJson, needle: string, occurrence = 0) {
  const lines = code.split('\n');
  let seen = 0;
  for (let line = 0; line < lines.length; line++) {
    let column = lines[line].indexOf(needle);
    while (column >= 0) {
      if (seen++ === occurrence) {
        const o = originalPositionFor(new TraceMap(map as never), { line: line + 1, column });
        return source.split('\n')[o.line! - 1].slice(o.column!);
      }
      column = lines[line].indexOf(needle, column + 1);
    }
  }
  throw new Error(`${needle} not in output`);
}

describe('rewriteSpecifiers', () => {
  it('renames static, re-export and dynamic specifiers and keeps the others', async () => {
    const { code, map } = await compiled();
    const out = rewriteSpecifiers(code, map, (spec) => names[spec]);
    expect(out.code).toContain('import { a } from "app/a";');
    expect(out.code).toContain('export * from "b";');
    expect(out.code).toMatch(/ from "timer";/);
    expect(out.code).toContain('Promise.all([import("app/some/x"), import("y"), import("app/z")]).then((all) => a(all));');
  });

  it('shifts the map after each rewritten specifier, longer and shorter, several on one line', async () => {
    const { code, map } = await compiled();
    const out = rewriteSpecifiers(code, map, (spec) => names[spec]);
    expect(origin(code, map, 'then')).toMatch(/^then\(/);
    expect(origin(out.code, out.map!, 'import("y")')).toMatch(/^import\('\.\/much/);
    expect(origin(out.code, out.map!, 'import("app/z")')).toMatch(/^import\('\.\/z/);
    expect(origin(out.code, out.map!, 'then')).toMatch(/^then\(/);
    expect(origin(out.code, out.map!, 'a(all)')).toMatch(/^a\(all\)/);
    expect(out.map!.sources).toEqual(map.sources);
  });

  it('returns the input untouched when nothing is renamed, and reports computed imports', async () => {
    const { code, map } = await compiled();
    expect(rewriteSpecifiers(code, map, () => undefined)).toEqual({ code, map });
    const computed: string[] = [];
    rewriteSpecifiers('const n = "x";\nimport(n);\nimport(`y`);', undefined, () => undefined, (where) => computed.push(where));
    expect(computed).toEqual(['2:8', '3:8']);
  });
});
