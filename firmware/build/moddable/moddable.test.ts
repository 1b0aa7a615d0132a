import { readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModulesOnXS } from '../../host/xs/index.js';
import { scenarios } from '../../kernel/conformance/index.js';
import type { BuildReport } from '../report.js';
import { BuildError, buildModdable, manifestSchema, readManifestModules } from './index.js';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const conformanceEntry = here('../../kernel/conformance/xs-entry.ts');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mote-moddable-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The module specifiers a module's code imports (static and dynamic). */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as { body: { type: string; source?: { value: string } }[] };
  for (const node of ast.body) if (node.source) found.push(node.source.value);
  for (const m of code.matchAll(/\bimport\("([^"]+)"\)/g)) found.push(m[1]);
  return found;
}

/** Runs a build's output (its manifest's modules, as written) on XS. */
async function runOutput(outDir: string, timeoutMs = 10_000) {
  const { main, modules } = await readManifestModules(outDir);
  return runModulesOnXS(Object.fromEntries(modules.map((m) => [m.name, m.source])), main, { timeoutMs });
}

describe('buildModdable: the kernel conformance suite', () => {
  let outDir: string;
  let report: BuildReport;

  beforeAll(async () => {
    outDir = path.join(tmp, 'conformance');
    report = await buildModdable(conformanceEntry, outDir);
  }, 30_000);

  it('reports every module with its size on disk, the total and the time', async () => {
    expect(report.target).toBe('moddable');
    expect(report.entry).toBe(conformanceEntry);
    expect(report.modules[0]).toMatchObject({ name: 'main', file: 'main.js' });
    const names = report.modules.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['app/kernel', 'app/queue', 'app/conformance/harness', 'app/conformance/scenarios/gen-q']));
    expect(names.slice(1)).toEqual([...names.slice(1)].sort());
    for (const m of report.modules) {
      expect(m.file).toBe(`${m.name}.js`);
      expect(m.bytes).toBe((await stat(path.join(outDir, m.file))).size);
    }
    expect(report.totalBytes).toBe(report.modules.reduce((sum, m) => sum + m.bytes, 0));
    expect(report.ms).toBeGreaterThanOrEqual(0);
    expect(report.otherFiles).toEqual(['manifest.json', ...report.modules.map((m) => `${m.file}.map`)]);
    expect(report.externals).toEqual([]);
  });

  it('writes a manifest.json in the form mcconfig takes, naming every module and nothing else', async () => {
    const manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')));
    expect(manifest.include).toEqual(['$(MODDABLE)/examples/manifest_base.json']);
    expect(manifest.modules['*']).toEqual(['./main']);
    const named = Object.entries(manifest.modules).filter(([key]) => key !== '*');
    expect(named).toEqual(report.modules.slice(1).map((m) => [m.name, `./${m.name}`]));
    expect(Object.keys(manifest)).toEqual(['include', 'modules']);
  });

  it('rewrites every import to a module the manifest names', async () => {
    const { modules } = await readManifestModules(outDir);
    const names = new Set(modules.map((m) => m.name));
    expect(names.size).toBe(report.modules.length);
    for (const m of modules) for (const spec of specifiers(m.source)) expect(names, `${m.name} imports ${spec}`).toContain(spec);
    const main = await readFile(path.join(outDir, 'main.js'), 'utf8');
    expect(main).toBe(
      [
        'import { runAll } from "app/conformance/harness";',
        'import { scenarios } from "app/conformance/index";',
        'hostResult(runAll(scenarios));',
        '//# sourceMappingURL=main.js.map',
        '',
      ].join('\n'),
    );
  });

  it('strips TypeScript only: classes, generators and class fields stay', async () => {
    const kernel = await readFile(path.join(outDir, 'app/kernel.js'), 'utf8');
    expect(kernel).toMatch(/^class Kernel \{$/m);
    expect(kernel).toMatch(/^export \{[^}]*\bKernel\b/m);
    expect(kernel).toMatch(/^\s+\*delay\(/m);
    const queue = await readFile(path.join(outDir, 'app/queue.js'), 'utf8');
    expect(queue).toMatch(/^\s+sendWaiters = new List\(\);$/m);
    expect(queue).not.toMatch(/\bimport type\b|: number\b|<T>/);
  });

  it('maps the output back to the TypeScript', async () => {
    const code = await readFile(path.join(outDir, 'app/queue.js'), 'utf8');
    const map = new TraceMap(await readFile(path.join(outDir, 'app/queue.js.map'), 'utf8'), path.join(outDir, 'app/queue.js.map'));
    const lines = code.split('\n');
    const line = lines.findIndex((l) => l.startsWith('class QueueBase')) + 1;
    const original = originalPositionFor(map, { line, column: 0 });
    expect(original.source).toBe(here('../../kernel/queue.ts'));
    const source = await readFile(here('../../kernel/queue.ts'), 'utf8');
    expect(source.split('\n')[original.line! - 1]).toMatch(/^export abstract class QueueBase/);
  });

  it('runs on the real XS engine from the built modules: every scenario gives its expected traces', async () => {
    const { result } = await runOutput(outDir, 60_000);
    const traces = result as Record<string, { preemptive: string[]; cooperative: string[] }>;
    expect(Object.keys(traces).sort()).toEqual(scenarios.map((s) => s.name).sort());
    for (const s of scenarios) {
      expect(traces[s.name].preemptive, `${s.name} preemptive`).toEqual(s.expected.preemptive);
      expect(traces[s.name].cooperative, `${s.name} cooperative`).toEqual(s.expected.cooperative);
    }
  }, 90_000);
});

describe('buildModdable: an app of several modules', () => {
  let outDir: string;
  let report: BuildReport;

  beforeAll(async () => {
    outDir = path.join(tmp, 'app');
    report = await buildModdable(here('./fixtures/app/main.ts'), outDir, {
      namespace: 'greeter',
      include: [],
      preload: ['greeter/lib/greet'],
      creation: { stack: 512 },
      config: { led: 2 },
      defines: { demo: { on: 1 } },
    });
  });

  it('names modules under the namespace and passes manifest options through', async () => {
    expect(report.modules.map((m) => m.name)).toEqual(['main', 'greeter/lib/counter', 'greeter/lib/greet', 'greeter/lib/index', 'greeter/lib/late']);
    expect(JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8'))).toEqual({
      modules: {
        '*': ['./main'],
        'greeter/lib/counter': './greeter/lib/counter',
        'greeter/lib/greet': './greeter/lib/greet',
        'greeter/lib/index': './greeter/lib/index',
        'greeter/lib/late': './greeter/lib/late',
      },
      preload: ['greeter/lib/greet'],
      creation: { stack: 512 },
      defines: { demo: { on: 1 } },
      config: { led: 2 },
    });
  });

  it('rewrites re-exports and dynamic imports, keeping private fields and static blocks', async () => {
    expect(await readFile(path.join(outDir, 'greeter/lib/index.js'), 'utf8')).toMatch(/^export \* from "greeter\/lib\/greet";$/m);
    const main = await readFile(path.join(outDir, 'main.js'), 'utf8');
    expect(main).toContain('import * as counter from "greeter/lib/counter";');
    expect(main).toContain('import("greeter/lib/late").then(');
    const greet = await readFile(path.join(outDir, 'greeter/lib/greet.js'), 'utf8');
    expect(greet).toContain('#name;');
    expect(greet).toMatch(/^\s+static \{$/m);
  });

  it('keeps the source map exact after a rewritten specifier on the same line', async () => {
    const code = await readFile(path.join(outDir, 'main.js'), 'utf8');
    const map = new TraceMap(await readFile(path.join(outDir, 'main.js.map'), 'utf8'));
    const lines = code.split('\n');
    const line = lines.findIndex((l) => l.startsWith('import("greeter/lib/late")'));
    const column = lines[line].indexOf('hostResult');
    const original = originalPositionFor(map, { line: line + 1, column });
    const source = (await readFile(here('./fixtures/app/main.ts'), 'utf8')).split('\n');
    expect(source[original.line! - 1].slice(original.column!)).toMatch(/^hostResult\(/);
  });

  it('runs on XS from the built modules', async () => {
    const { output, result } = await runOutput(outDir);
    expect(output).toEqual(['hello XS; count 2; greeters 1']);
    expect(result).toEqual({ late: 'late', count: 2 });
  });
});

describe('buildModdable: modules of the Moddable SDK', () => {
  it('leaves them to the engine, lists them, and can skip source maps', async () => {
    const outDir = path.join(tmp, 'engine');
    const report = await buildModdable(here('./fixtures/engine/main.ts'), outDir, { sourcemap: false });
    expect(report.externals).toEqual(['embedded:io/digital', 'mc/config', 'timer']);
    expect(report.otherFiles).toEqual(['manifest.json']);
    expect(report.modules.map((m) => m.name)).toEqual(['main', 'app/led']);
    const main = await readFile(path.join(outDir, 'main.js'), 'utf8');
    expect(specifiers(main)).toEqual(['timer', 'mc/config', 'embedded:io/digital', 'app/led']);
    expect(main).not.toContain('sourceMappingURL');
  });
});

describe('buildModdable: errors', () => {
  const broken = (name: string) => buildModdable(here(`./fixtures/broken/${name}`), path.join(tmp, 'broken'));

  it('reports an import that resolves to nothing at its file, line and column', async () => {
    const error = await broken('missing-import.ts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(/missing-import\.ts:2:25: Could not resolve "\.\/nowhere\.js"/);
  });

  it('refuses require() and non-module files', async () => {
    await expect(broken('uses-require.ts')).rejects.toThrow(/uses-require\.ts: require\('\.\/lib\.js'\) is not available on XS; use import/);
    await expect(broken('imports-json.ts')).rejects.toThrow(/data\.json: only \.ts, \.mts, \.js, \.mjs files can be Moddable modules/);
  });

  it('refuses a namespace that cannot be part of a module name', async () => {
    await expect(buildModdable(here('./fixtures/app/main.ts'), path.join(tmp, 'x'), { namespace: 'my app' })).rejects.toThrow(
      /namespace "my app" must be/,
    );
  });
});

describe('buildModdable: an app in its own package that depends on mote', () => {
  it("names mote's modules by the package, so no machine path leaks into a module name", async () => {
    const { mkdir, symlink, writeFile } = await import('node:fs/promises');
    const project = path.join(tmp, 'blinky');
    await mkdir(path.join(project, 'src'), { recursive: true });
    await mkdir(path.join(project, 'node_modules'), { recursive: true });
    await symlink(here('../../..'), path.join(project, 'node_modules', 'mote'));
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'blinky', type: 'module', dependencies: { mote: 'file:..' } }));
    await writeFile(path.join(project, 'src', 'led.ts'), 'export const LED = 2;\n');
    await writeFile(path.join(project, 'src', 'main.ts'), "import { Kernel } from 'mote/kernel';\nimport { LED } from './led.js';\nnew Kernel();\nexport { LED };\n");
    const report = await buildModdable(path.join(project, 'src', 'main.ts'), path.join(tmp, 'blinky-out'), { namespace: 'blinky' });
    const names = report.modules.map((m) => m.name);
    expect(names).toContain('blinky/led');
    expect(names).toContain('mote/firmware/kernel/kernel');
    for (const name of names) expect(name, name).toMatch(/^(main|blinky\/led|mote\/firmware\/)/);
  });
});
