/**
 * checkDialect: finds what an emitted bundle uses that Espruino 2v29 cannot run, before it reaches
 * a device. The feature list (./features.ts) is measured: it is cross-checked against
 * dialect-2v29.json, what a real Espruino 2v29 interpreter did with ~130 snippets.
 *
 * It reports:
 * - syntax Espruino's parser rejects: generators, async/await, destructuring (declarations,
 *   assignments, parameters), spread (calls, arrays, objects), default and rest parameters, `**`,
 *   optional chaining, logical assignment, computed keys, labels, tagged templates, `new.target`,
 *   BigInt literals, and classes extending a built-in Error type;
 * - uses of globals Espruino lacks (Map, Set, Symbol, ...): a read of a free identifier (declared
 *   nowhere in the program, by scope) that is not `typeof G` and not guarded by a `typeof` test
 *   (./guards.ts); a program that assigns the global itself (a polyfill) is not reported;
 * - uses of static methods Espruino's built-ins lack (Array.from, Math.trunc, ...): a member
 *   access on the global, unless it only tests for existence or is guarded, or the program
 *   assigns that member (a polyfill);
 * - functions used before their declaration, which Espruino does not hoist (./hoisting.ts).
 *
 * Host-side code (the build path): Node APIs allowed.
 */
import { parse, type Options } from 'acorn';
import type * as acorn from 'acorn';
import { originalPositionFor, TraceMap, type SourceMapInput } from '@jridgewell/trace-mapping';
import { globalFeature, methodFeature, nativeErrorTypes, syntaxFeatures, type DialectFeature } from './features.js';
import { isExistenceTest, isGuarded, keyOf, type GuardContext } from './guards.js';
import { findHoistingProblems } from './hoisting.js';
import { analyzeScopes, type Node, type ScopeAnalysis } from './scope.js';

export interface DialectProblem {
  /** A syntax feature id ('default-params', ...), `global:<Name>` or `method:<Global>.<name>`; see ./features.ts. */
  feature: string;
  /** One line: where (the original file:line:column when a source map was given), what, and what to write instead. */
  message: string;
  /** Position in the bundle: 1-based line, 1-based column (as Espruino and editors count). */
  line: number;
  column: number;
  /** The original position, when a source map was given and maps this point (1-based line and column). */
  source?: { file: string; line: number; column: number };
}

export interface CheckDialectOptions {
  /** The bundle's source map (JSON text or parsed), to report original TypeScript positions. */
  sourceMap?: string | object;
}

const PARSE_OPTIONS: Options = { ecmaVersion: 'latest', locations: true, allowHashBang: true };

/** Parses as a script (what Espruino runs), or as a module if only that parses; throws the script's error otherwise. */
function parseBundle(code: string): acorn.Program {
  try {
    return parse(code, { ...PARSE_OPTIONS, sourceType: 'script' });
  } catch (scriptError) {
    try {
      return parse(code, { ...PARSE_OPTIONS, sourceType: 'module' });
    } catch {
      throw scriptError;
    }
  }
}

/** Every construct in `code` that Espruino 2v29 rejects, in source order. See the module comment. */
export function checkDialect(code: string, options: CheckDialectOptions = {}): DialectProblem[] {
  const locate = locator(options.sourceMap);
  const found: DialectProblem[] = [];
  const report = (feature: DialectFeature, line: number, column0: number, what: string) => {
    const source = locate(line, column0);
    const where = source ? `${source.file}:${source.line}:${source.column}` : `${line}:${column0 + 1}`;
    found.push({
      feature: feature.id,
      message: `${where}: ${what} (${feature.id}); ${feature.hint}`,
      line,
      column: column0 + 1,
      ...(source ? { source } : {}),
    });
  };
  const reportAt = (feature: DialectFeature, node: Node, what = `${feature.label} is not supported by Espruino 2v29`) => {
    const start = node.loc?.start ?? { line: 1, column: 0 };
    report(feature, start.line, start.column, what);
  };

  let program: acorn.Program;
  try {
    program = parseBundle(code);
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc ?? { line: 1, column: 0 };
    const text = error instanceof Error ? error.message : String(error);
    report(syntaxFeatures.parseError, loc.line, loc.column, `not parseable JavaScript: ${text}`);
    return found;
  }

  const analysis = analyzeScopes(program);
  checkSyntax(analysis, reportAt);
  checkApis(analysis, reportAt);
  for (const use of findHoistingProblems(analysis)) {
    const name = use.reference.id.name;
    const declared = position(use.declaration);
    const what =
      use.reason === 'unreachable'
        ? `function '${name}' is used, but its declaration at ${declared} follows a return, so Espruino 2v29 never defines it`
        : use.via
          ? `function '${name}' is used in a function that can run at ${position(use.via)}, before its declaration at ${declared}`
          : `function '${name}' is used before its declaration at ${declared}`;
    reportAt(syntaxFeatures.hoisting, use.reference.id, what);
  }

  return found.sort((a, b) => a.line - b.line || a.column - b.column || a.feature.localeCompare(b.feature));
}

const position = (node: Node) => (node.loc ? `${node.loc.start.line}:${node.loc.start.column + 1}` : `offset ${node.start}`);

type Report = (feature: DialectFeature, node: Node, what?: string) => void;

const isFunctionNode = (node: Node): node is acorn.Function & Node =>
  node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';

const isPattern = (node: Node) => node.type === 'ObjectPattern' || node.type === 'ArrayPattern';

function reportDestructuring(pattern: Node, report: Report) {
  if (pattern.type === 'ObjectPattern') report(syntaxFeatures.objectDestructuring, pattern);
  else if (pattern.type === 'ArrayPattern') report(syntaxFeatures.arrayDestructuring, pattern);
}

function checkSyntax(analysis: ScopeAnalysis, report: Report) {
  const { parentOf } = analysis;
  const insideAsyncFunction = (node: Node) => {
    for (let parent = parentOf(node); parent; parent = parentOf(parent)) if (isFunctionNode(parent)) return parent.async;
    return false;
  };

  for (const node of analysis.nodes) {
    if (isFunctionNode(node)) {
      if (node.generator) report(syntaxFeatures.generators, node);
      if (node.async) report(syntaxFeatures.asyncAwait, node);
      for (const param of node.params) {
        let inner: Node = param;
        if (param.type === 'AssignmentPattern') {
          report(syntaxFeatures.defaultParams, param);
          inner = param.left;
        } else if (param.type === 'RestElement') {
          report(syntaxFeatures.restParams, param);
          inner = param.argument;
        }
        if (isPattern(inner)) report(syntaxFeatures.paramDestructuring, inner);
      }
      continue;
    }
    switch (node.type) {
      case 'AwaitExpression':
        if (!insideAsyncFunction(node)) report(syntaxFeatures.asyncAwait, node);
        break;
      case 'ForOfStatement':
        if (node.await && !insideAsyncFunction(node)) report(syntaxFeatures.asyncAwait, node);
        if (isPattern(node.left)) reportDestructuring(node.left, report);
        break;
      case 'ForInStatement':
        if (isPattern(node.left)) reportDestructuring(node.left, report);
        break;
      case 'VariableDeclarator':
        reportDestructuring(node.id, report);
        break;
      case 'CatchClause':
        if (node.param) reportDestructuring(node.param, report);
        break;
      case 'AssignmentExpression':
        reportDestructuring(node.left, report);
        if (node.operator === '**=') report(syntaxFeatures.exponent, node);
        if (node.operator === '&&=' || node.operator === '||=' || node.operator === '??=') report(syntaxFeatures.logicalAssignment, node);
        break;
      case 'SpreadElement': {
        const parent = parentOf(node);
        if (parent?.type === 'ArrayExpression') report(syntaxFeatures.spreadArray, node);
        else if (parent?.type === 'ObjectExpression') report(syntaxFeatures.spreadObject, node);
        else report(syntaxFeatures.spreadCall, node);
        break;
      }
      case 'BinaryExpression':
        if (node.operator === '**') report(syntaxFeatures.exponent, node);
        break;
      case 'ChainExpression':
        report(syntaxFeatures.optionalChaining, node);
        break;
      case 'Property':
        // Computed keys inside a destructuring pattern are part of the (already reported) pattern.
        if (node.computed && parentOf(node)?.type === 'ObjectExpression') report(syntaxFeatures.computedKeys, node);
        break;
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) report(syntaxFeatures.computedKeys, node.key);
        break;
      case 'LabeledStatement':
        report(syntaxFeatures.labels, node);
        break;
      case 'TaggedTemplateExpression':
        report(syntaxFeatures.taggedTemplates, node);
        break;
      case 'MetaProperty':
        if (node.meta.name === 'new') report(syntaxFeatures.newTarget, node);
        break;
      case 'Literal':
        if (node.bigint !== undefined) report(syntaxFeatures.bigint, node);
        break;
      default:
        break;
    }
  }
}

function checkApis(analysis: ScopeAnalysis, report: Report) {
  const { parentOf } = analysis;
  const globals = new Set(analysis.references.filter((ref) => !ref.binding).map((ref) => ref.id));
  const context: GuardContext = { parentOf, isGlobal: (id) => globals.has(id) };

  // Polyfills: globals and members the program assigns itself.
  const assigned = new Set<string>();
  for (const ref of analysis.references) if (!ref.binding && ref.write) assigned.add(ref.id.name);
  for (const node of analysis.nodes) {
    if (node.type === 'AssignmentExpression') {
      const key = keyOf(node.left, context);
      if (key) assigned.add(key);
    }
  }

  for (const ref of analysis.references) {
    if (ref.binding || !ref.read) continue;
    const id = ref.id;
    const parent = parentOf(id);

    const feature = globalFeature(id.name);
    const isTypeof = parent?.type === 'UnaryExpression' && parent.operator === 'typeof';
    if (feature && !isTypeof && !assigned.has(id.name) && !isGuarded(id, id.name, context)) {
      report(feature, id, `${id.name} is not defined on Espruino 2v29`);
    }

    if (parent?.type === 'MemberExpression' && parent.object === id) {
      const key = keyOf(parent, context);
      const [owner, name] = key ? [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)] : ['', ''];
      const method = key ? methodFeature(owner, name) : undefined;
      if (key && method && !assigned.has(key) && !isExistenceTest(parent, context) && !isGuarded(parent, key, context)) {
        report(method, parent.property, `${key} does not exist on Espruino 2v29 (Function "${name}" not found!)`);
      }
    }
  }

  for (const node of analysis.nodes) {
    if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.superClass?.type === 'Identifier') {
      const base = node.superClass;
      if (nativeErrorTypes.has(base.name) && globals.has(base)) {
        report(syntaxFeatures.errorSubclass, base, `class extends ${base.name}: super() fails on Espruino 2v29 ("Calling 'super' outside of class")`);
      }
    }
  }
}

type Locate = (line: number, column0: number) => DialectProblem['source'] | undefined;

/** Maps a bundle position (1-based line, 0-based column) to the original one through the source map. */
function locator(sourceMap: string | object | undefined): Locate {
  if (sourceMap === undefined) return () => undefined;
  const map = new TraceMap(sourceMap as SourceMapInput);
  return (line, column) => {
    const original = originalPositionFor(map, { line, column });
    if (original.source === null || original.line === null || original.column === null) return undefined;
    return { file: original.source, line: original.line, column: original.column + 1 };
  };
}
