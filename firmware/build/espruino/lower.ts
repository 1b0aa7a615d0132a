/**
 * Step 2 of the Espruino build: TypeScript's compiler lowers one bundled script to ES5 (generators,
 * destructuring, spread, default and rest parameters, `**`, optional chaining, computed keys,
 * classes, ...), with transforms of mote's own around its output:
 *
 * - `guardForOf` (before TypeScript's): for-of operands go through `__forOf`, because the ES5
 *   for-of TypeScript emits without downlevelIteration indexes its operand and so would run zero
 *   turns over an iterator instead of failing.
 * - `nameClasses` (before): `var C = class {}` keeps the name `C` (TypeScript would call it `class_1`).
 * - `fixErrorSubclasses` (before): a class that extends a built-in error type sets its instance's
 *   prototype after `super()`, because the ES5 constructor takes what `Error.call(this)` returns,
 *   a plain Error, and `instanceof` the subclass and its methods would be lost.
 * - `leanGeneratorBodies` (after): generator bodies as mote's `__generator` takes them
 *   (generators.ts).
 * - `hoistFunctions` (after): function declarations move to the top of their block, because
 *   Espruino defines a function only when its declaration runs, and TypeScript's own output
 *   calls some before their line (`__extends(C, _super); function C() {}` in every subclass).
 */
import ts from 'typescript';
import { leanGeneratorBodies } from './generators.js';

export interface LowerOptions {
  /** Keep comments (default false: Espruino keeps function source text in RAM). */
  comments?: boolean;
  /**
   * 'mote' (default): mote's transforms, for mote's helpers. 'typescript': TypeScript's output as
   * is, its own helpers included; does not run on Espruino (for comparison only).
   */
  runtime?: 'mote' | 'typescript';
}

/** A version 3 source map as JSON. */
export interface RawSourceMap {
  version: 3;
  file?: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

/** Lowers `script` (named `fileName` in the source map) to ES5. Throws on syntax errors. */
export function lower(script: string, fileName: string, options: LowerOptions = {}): { code: string; map: RawSourceMap } {
  const mote = (options.runtime ?? 'mote') === 'mote';
  const out = ts.transpileModule(script, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      allowJs: true,
      target: ts.ScriptTarget.ES5,
      // A script without imports or exports: no module wrapper is emitted.
      module: ts.ModuleKind.CommonJS,
      noEmitHelpers: mote,
      importHelpers: false,
      downlevelIteration: false,
      // Fields become assignments in the constructor, as Espruino's own classes do.
      useDefineForClassFields: false,
      removeComments: !options.comments,
      sourceMap: true,
      newLine: ts.NewLineKind.LineFeed,
    },
    transformers: mote ? { before: [guardForOf, nameClasses, fixErrorSubclasses], after: [leanGeneratorBodies, hoistFunctions] } : undefined,
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new Error(`espruino lowering: ${errors.map(formatDiagnostic).join('\n')}`);
  if (out.sourceMapText === undefined) throw new Error('espruino lowering: TypeScript produced no source map');
  const code = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  return { code, map: JSON.parse(out.sourceMapText) as RawSourceMap };
}

function formatDiagnostic(d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file === undefined || d.start === undefined) return text;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName}:${line + 1}:${character + 1}: ${text}`;
}

// ------------------------------------------------------------------------------ for-of guard

const guardForOf: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;
  const visit = (node: ts.Node): ts.Node => {
    const visited = ts.visitEachChild(node, visit, context);
    if (!ts.isForOfStatement(visited) || visited.awaitModifier !== undefined) return visited;
    if (ts.isArrayLiteralExpression(visited.expression) || ts.isStringLiteral(visited.expression)) return visited;
    const guarded = f.createCallExpression(f.createIdentifier('__forOf'), undefined, [visited.expression]);
    ts.setTextRange(guarded, visited.expression);
    return f.updateForOfStatement(visited, visited.awaitModifier, visited.initializer, guarded, visited.statement);
  };
  return (file) => ts.visitNode(file, visit, ts.isSourceFile);
};

// ------------------------------------------------------------------------------ class names

/**
 * `var Queue = class extends QueueBase {}` (esbuild's form for top-level classes) is named by its
 * variable natively, but TypeScript's ES5 output names the function `class_1`: the class
 * expression gets the variable's name, so `Queue.name` is `"Queue"` once lowered too.
 */
const nameClasses: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;
  const visit = (node: ts.Node): ts.Node => {
    const visited = ts.visitEachChild(node, visit, context);
    if (ts.isVariableDeclaration(visited) && ts.isIdentifier(visited.name) && visited.initializer !== undefined && ts.isClassExpression(visited.initializer) && visited.initializer.name === undefined) {
      const c = visited.initializer;
      const named = f.updateClassExpression(c, c.modifiers, f.createIdentifier(ts.idText(visited.name)), c.typeParameters, c.heritageClauses, c.members);
      return f.updateVariableDeclaration(visited, visited.name, visited.exclamationToken, visited.type, named);
    }
    return visited;
  };
  return (file) => ts.visitNode(file, visit, ts.isSourceFile);
};

// ----------------------------------------------------------------------- Error subclasses

const errorTypes = new Set(['Error', 'TypeError', 'SyntaxError', 'ReferenceError', 'RangeError', 'EvalError', 'URIError', 'InternalError', 'AggregateError']);

const fixErrorSubclasses: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;
  /** `Object.setPrototypeOf(this, new.target.prototype);` */
  const setPrototype = () =>
    f.createExpressionStatement(
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier('Object'), 'setPrototypeOf'), undefined, [
        f.createThis(),
        f.createPropertyAccessExpression(f.createMetaProperty(ts.SyntaxKind.NewKeyword, f.createIdentifier('target')), 'prototype'),
      ]),
    );
  const isSuperCall = (s: ts.Statement) => ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && s.expression.expression.kind === ts.SyntaxKind.SuperKeyword;
  const fixMembers = (members: readonly ts.ClassElement[]): ts.ClassElement[] => {
    const ctor = members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
    if (ctor === undefined) {
      const args = f.createUniqueName('args');
      const synthesized = f.createConstructorDeclaration(
        undefined,
        [f.createParameterDeclaration(undefined, f.createToken(ts.SyntaxKind.DotDotDotToken), args)],
        f.createBlock([f.createExpressionStatement(f.createCallExpression(f.createSuper(), undefined, [f.createSpreadElement(args)])), setPrototype()], true),
      );
      return [synthesized, ...members];
    }
    const body = (ctor.body as ts.Block).statements;
    const at = body.findIndex(isSuperCall);
    if (at === -1) return [...members];
    const fixed = f.updateConstructorDeclaration(ctor, ctor.modifiers, ctor.parameters, f.updateBlock(ctor.body as ts.Block, [...body.slice(0, at + 1), setPrototype(), ...body.slice(at + 1)]));
    return members.map((m) => (m === ctor ? fixed : m));
  };
  const extendsError = (node: ts.ClassLikeDeclaration) => {
    const clause = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
    const base = clause?.types[0]?.expression;
    return base !== undefined && ts.isIdentifier(base) && errorTypes.has(ts.idText(base));
  };
  const visit = (node: ts.Node): ts.Node => {
    const visited = ts.visitEachChild(node, visit, context);
    if (ts.isClassDeclaration(visited) && extendsError(visited)) {
      return f.updateClassDeclaration(visited, visited.modifiers, visited.name, visited.typeParameters, visited.heritageClauses, fixMembers(visited.members));
    }
    if (ts.isClassExpression(visited) && extendsError(visited)) {
      return f.updateClassExpression(visited, visited.modifiers, visited.name, visited.typeParameters, visited.heritageClauses, fixMembers(visited.members));
    }
    return visited;
  };
  return (file) => ts.visitNode(file, visit, ts.isSourceFile);
};

// ------------------------------------------------------------------------- function hoisting

const hoistFunctions: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;
  const reorder = (statements: readonly ts.Statement[]): ts.Statement[] | undefined => {
    let prologue = 0;
    while (prologue < statements.length && ts.isExpressionStatement(statements[prologue]) && ts.isStringLiteral((statements[prologue] as ts.ExpressionStatement).expression)) {
      prologue++;
    }
    const rest = statements.slice(prologue);
    const firstOther = rest.findIndex((s) => !ts.isFunctionDeclaration(s));
    if (firstOther === -1 || !rest.slice(firstOther).some(ts.isFunctionDeclaration)) return undefined;
    return [...statements.slice(0, prologue), ...rest.filter(ts.isFunctionDeclaration), ...rest.filter((s) => !ts.isFunctionDeclaration(s))];
  };
  const visit = (node: ts.Node): ts.Node => {
    const visited = ts.visitEachChild(node, visit, context);
    if (ts.isBlock(visited)) {
      const statements = reorder(visited.statements);
      if (statements !== undefined) return f.updateBlock(visited, statements);
    }
    return visited;
  };
  return (file) => {
    const visited = ts.visitEachChild(file, visit, context);
    const statements = reorder(visited.statements);
    return statements === undefined ? visited : f.updateSourceFile(visited, statements);
  };
};
