/**
 * The module graph of an entry: every file it imports, directly or not, how each import
 * specifier resolves, and the name each file gets as a Moddable module.
 *
 * Resolution is esbuild's (the same as bundleForXS: TypeScript's `./x.js` finds `./x.ts`,
 * packages by `exports`, then `module`, then `main`). A specifier that does not resolve to a
 * file and is not relative (`timer`, `pins/digital`, `embedded:io/digital`) is left to the
 * engine: Moddable resolves it against the modules its own manifests provide.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Message, type Plugin, build } from 'esbuild';

export interface ModuleNode {
  /** Absolute path of the source file. */
  file: string;
  /** Its module specifier in manifest.json: 'main' for the entry, else `<namespace>/<path>`. */
  name: string;
  /** Each import specifier the file's code uses, mapped to the module it means. */
  imports: Map<string, ModuleImport>;
}

export type ModuleImport = { kind: 'module'; file: string } | { kind: 'external' };

export interface ModuleGraph {
  /** The entry first, then the other modules in name order. */
  modules: ModuleNode[];
  /** Specifiers left to the engine, sorted. */
  externals: string[];
}

/** A build error with esbuild's messages (`file:line:column: text`), one per line. */
export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

/** The extensions a Moddable module may come from (mcconfig compiles .js; we emit .js from these). */
const moduleExtensions = ['.ts', '.mts', '.js', '.mjs'];

/** Module names become paths in the output folder and in Moddable's make files. */
const validName = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/** esbuild's messages as `file:line:column: text` lines. */
export function formatMessages(messages: readonly Message[]): string {
  return messages
    .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text))
    .join('\n');
}

/**
 * Leaves bare specifiers that do not resolve to a file (and `scheme:` ones) to the engine,
 * recording them in `externals`. Relative and absolute ones must resolve.
 */
function engineModules(externals: Set<string>): Plugin {
  return {
    name: 'mote-engine-modules',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === 'mote-inner') return undefined;
        const spec = args.path;
        if (spec.startsWith('.') || path.isAbsolute(spec)) return undefined;
        if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !spec.startsWith('node:')) {
          externals.add(spec);
          return { path: spec, external: true };
        }
        const found = await b.resolve(spec, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'mote-inner' });
        if (found.errors.length === 0) return undefined;
        externals.add(spec);
        return { path: spec, external: true };
      });
    },
  };
}

/**
 * Discovers the modules `entryFile` needs and names them: the entry is `main` (the module
 * Moddable runs at start-up); every other module is `<namespace>/` plus its path from the
 * deepest folder holding all the files, without extension (`app/kernel/queue`).
 * Rejects with a BuildError when a file cannot be parsed or resolved, when a file is not an
 * ES module (CommonJS, JSON, `require`), or when two files would get the same name.
 */
export async function discoverModules(entryFile: string, namespace: string): Promise<ModuleGraph> {
  const entry = path.resolve(entryFile);
  const workingDir = path.dirname(entry);
  const externals = new Set<string>();
  let metafile;
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: workingDir,
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      target: 'esnext',
      platform: 'neutral',
      // `mote/hal` and other packages pick their Moddable build (package.json `exports`).
      conditions: ['moddable'],
      mainFields: ['module', 'main'],
      logLevel: 'silent',
      outdir: path.join(workingDir, '.mote-discovery'),
      plugins: [engineModules(externals)],
    });
    metafile = result.metafile;
  } catch (error) {
    const failure = error as { errors?: Message[] };
    throw new BuildError(failure.errors ? formatMessages(failure.errors) : String(error));
  }

  const problems: string[] = [];
  const files = new Map<string, Map<string, ModuleImport>>();
  for (const [key, input] of Object.entries(metafile.inputs)) {
    const file = path.resolve(workingDir, key);
    const shown = path.relative(process.cwd(), file);
    if (!moduleExtensions.includes(path.extname(file))) {
      problems.push(`${shown}: only ${moduleExtensions.join(', ')} files can be Moddable modules`);
    } else if (input.format === 'cjs') {
      problems.push(`${shown}: is CommonJS; a Moddable module must be an ES module`);
    }
    const imports = new Map<string, ModuleImport>();
    for (const imported of input.imports) {
      if (imported.kind === 'require-call' || imported.kind === 'require-resolve') {
        problems.push(`${shown}: require('${imported.original}') is not available on XS; use import`);
        continue;
      }
      const spec = imported.original ?? imported.path;
      imports.set(spec, imported.external ? { kind: 'external' } : { kind: 'module', file: path.resolve(workingDir, imported.path) });
    }
    files.set(file, imports);
  }

  // The app's own files are named under the namespace, by their path from the deepest folder
  // holding them all; a file of another package (mote itself, when the app depends on it) by that
  // package's name and its path inside it, so no machine path leaks into a module name.
  const others = [...files.keys()].filter((f) => f !== entry);
  const app = packageOf(entry);
  const foreign = (file: string) => {
    const pkg = packageOf(file);
    return pkg !== undefined && app !== undefined && pkg.root !== app.root ? pkg : undefined;
  };
  const root = commonFolder([entry, ...others.filter((f) => foreign(f) === undefined)]);
  const withoutExtension = (relative: string) => relative.split(path.sep).join('/').slice(0, -path.extname(relative).length);
  const nodes: ModuleNode[] = [{ file: entry, name: 'main', imports: files.get(entry) ?? new Map() }];
  for (const file of others) {
    const pkg = foreign(file);
    const name = pkg ? `${pkg.name}/${withoutExtension(path.relative(pkg.root, file))}` : `${namespace}/${withoutExtension(path.relative(root, file))}`;
    nodes.push({ file, name, imports: files.get(file)! });
  }
  const seen = new Map<string, string>();
  for (const node of nodes) {
    if (!validName.test(node.name)) problems.push(`${node.file}: module name "${node.name}" has characters Moddable's tools cannot take`);
    const other = seen.get(node.name);
    if (other !== undefined) problems.push(`${other} and ${node.file} would both be module "${node.name}"`);
    seen.set(node.name, node.file);
  }
  if (problems.length > 0) throw new BuildError(problems.join('\n'));

  const [main, ...rest] = nodes;
  rest.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { modules: [main, ...rest], externals: [...externals].sort() };
}

const packages = new Map<string, { root: string; name: string } | undefined>();

/** The package a file belongs to: the nearest folder with a package.json that has a name (`@scope/x` becomes `scope/x`). */
function packageOf(file: string): { root: string; name: string } | undefined {
  const folder = path.dirname(file);
  if (packages.has(folder)) return packages.get(folder);
  let found: { root: string; name: string } | undefined;
  try {
    const name = (JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name.length > 0) found = { root: folder, name: name.replace(/^@/, '') };
  } catch {
    // no package.json here (or an unreadable one): look further up
  }
  if (!found && path.dirname(folder) !== folder) found = packageOf(folder);
  packages.set(folder, found);
  return found;
}

/** The deepest folder that holds all `files`. */
function commonFolder(files: string[]): string {
  let folder = path.dirname(files[0]);
  for (const file of files) {
    while (path.relative(folder, file).split(path.sep)[0] === '..') folder = path.dirname(folder);
  }
  return folder;
}
