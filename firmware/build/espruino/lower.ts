/**
 * Step 2 of the Espruino build: TypeScript's compiler lowers one bundled script to ES5 (generators,
 * destructuring, spread, default and rest parameters, `**`, optional chaining, computed keys,
 * classes, ...), with three transforms of mote's own around its output:
 *
 * - `guardForOf` (before TypeScript's): for-of operands go through `__forOf`, because the ES5
 *   for-of TypeScript emits without downlevelIteration indexes its operand and so would run zero
 *   turns over an iterator instead of failing.
 * - `fixErrorSubclasses` (before): a class that extends a built-in error type sets its instance's
 *   prototype after `super()`, because the ES5 constructor takes what `Error.call(this)` returns,
 *   a plain Error, and `instanceof` the subclass and its methods would be lost.
 * - `leanGeneratorBodies` (after): generator bodies return an op code, with its operand in the
 *   state's `v`, instead of allocating an `[op, operand]` array at every resume, and enter try
 *   blocks with `state.tr(region)`, so the state needs no array until a try is entered (the
 *   contract with mote's `__generator` is in helpers.ts).
 * - `hoistFunctions` (after): function declarations move to the top of their block, because
 *   Espruino defines a function only when its declaration runs, and TypeScript's own output
 *   calls some before their line (`__extends(C, _super); function C() {}` in every subclass).
 */
import ts from 'typescript';

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
    transformers: mote ? { before: [guardForOf, fixErrorSubclasses], after: [leanGeneratorBodies, hoistFunctions] } : undefined,
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

// ------------------------------------------------------------------------- generator bodies

/** TypeScript's generator instructions (its transformers/generators.ts). */
const Op = { Return: 2, Break: 3, Yield: 4, YieldStar: 5, Endfinally: 7 } as const;
/** mote's extra op: return with no value. */
const ReturnNothing = 8;

function unexpected(node: ts.Node, what: string): never {
  const printer = ts.createPrinter({ removeComments: false });
  let text = '';
  try {
    text = printer.printNode(ts.EmitHint.Unspecified, node, ts.createSourceFile('x.js', '', ts.ScriptTarget.ES5));
  } catch {
    text = ts.SyntaxKind[node.kind];
  }
  throw new Error(`espruino lowering: unexpected ${what} in a generator body: ${text}`);
}

const leanGeneratorBodies: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;

  /** Anywhere: finds `__generator(this, function (state) { ... })` calls. */
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) {
      const updated = aliasArguments(node);
      if (updated !== undefined) return updated;
    }
    if (isGeneratorCall(node)) return leanCall(node, undefined);
    return ts.visitEachChild(node, visit, context);
  };

  const leanCall = (node: ts.CallExpression, argumentsAlias: ts.Identifier | undefined): ts.CallExpression => {
    const fn = node.arguments[1] as ts.FunctionExpression;
    const param = fn.parameters[0];
    if (param === undefined || !ts.isIdentifier(param.name)) unexpected(fn, 'generator state parameter');
    const body = ts.visitEachChild(fn.body, bodyVisitor(param.name, argumentsAlias), context);
    const lean = f.updateFunctionExpression(fn, fn.modifiers, fn.asteriskToken, fn.name, fn.typeParameters, fn.parameters, fn.type, body);
    return f.updateCallExpression(node, node.expression, node.typeArguments, [ts.visitNode(node.arguments[0], visit) as ts.Expression, lean]);
  };

  /**
   * TypeScript leaves `arguments` in a generator body as is, where it is the body function's own
   * (the state): a generator function that reads `arguments` gets `var arguments_1 = arguments;`
   * before its `return __generator(...)`, and the body reads that.
   */
  const aliasArguments = (node: ts.FunctionDeclaration | ts.FunctionExpression): ts.Node | undefined => {
    const statements = node.body?.statements;
    const last = statements?.[statements.length - 1];
    if (statements === undefined || last === undefined || !ts.isReturnStatement(last) || last.expression === undefined) return undefined;
    const call = last.expression;
    if (!isGeneratorCall(call) || !readsArguments((call.arguments[1] as ts.FunctionExpression).body)) return undefined;
    const alias = f.createUniqueName('arguments');
    const declare = f.createVariableStatement(undefined, [f.createVariableDeclaration(alias, undefined, undefined, f.createIdentifier('arguments'))]);
    const before = statements.slice(0, -1).map((s) => ts.visitNode(s, visit) as ts.Statement);
    const body = f.updateBlock(node.body as ts.Block, [...before, declare, f.updateReturnStatement(last, leanCall(call, alias))]);
    return ts.isFunctionDeclaration(node)
      ? f.updateFunctionDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, body)
      : f.updateFunctionExpression(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, body);
  };

  /** Inside one generator body, outside nested functions. */
  const bodyVisitor = (state: ts.Identifier, argumentsAlias: ts.Identifier | undefined) => {
    const stateV = () => f.createPropertyAccessExpression(state, 'v');
    const setV = (value: ts.Expression, op: number) =>
      f.createComma(f.createAssignment(stateV(), value), f.createNumericLiteral(op));
    const inBody = (node: ts.Node): ts.Node => {
      if (ts.isFunctionLike(node) || ts.isClassLike(node)) return visit(node);
      if (argumentsAlias !== undefined) {
        if (ts.isIdentifier(node) && ts.idText(node) === 'arguments') return argumentsAlias;
        // Names that are not references: `x.arguments`, `{ arguments: v }`.
        if (ts.isPropertyAccessExpression(node)) return f.updatePropertyAccessExpression(node, ts.visitNode(node.expression, inBody) as ts.Expression, node.name);
        if (ts.isPropertyAssignment(node)) return f.updatePropertyAssignment(node, node.name, ts.visitNode(node.initializer, inBody) as ts.Expression);
      }
      if (ts.isReturnStatement(node)) return f.updateReturnStatement(node, leanOp(node));
      if (isTrysPush(node, state)) {
        const region = ts.visitNode(node.arguments[0], inBody) as ts.Expression;
        return f.updateCallExpression(node, f.createPropertyAccessExpression(state, 'tr'), undefined, [region]);
      }
      if (ts.isPropertyAccessExpression(node) && node.expression === state && ts.idText(node.name) === 'trys') {
        unexpected(node.parent ?? node, 'use of the try list');
      }
      return ts.visitEachChild(node, inBody, context);
    };
    const leanOp = (node: ts.ReturnStatement): ts.Expression => {
      const array = node.expression;
      if (array === undefined || !ts.isArrayLiteralExpression(array)) return unexpected(node, 'return');
      const [code, operand, ...more] = array.elements;
      if (code === undefined || !ts.isNumericLiteral(code) || more.length > 0) return unexpected(node, 'return');
      const op = Number(code.text);
      const value = operand === undefined ? undefined : (ts.visitNode(operand, inBody) as ts.Expression);
      switch (op) {
        case Op.Return:
          return value === undefined ? f.createNumericLiteral(ReturnNothing) : setV(value, Op.Return);
        case Op.Break: {
          if (value === undefined || !ts.isNumericLiteral(value)) return unexpected(node, 'break');
          return f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(Number(value.text) + 1));
        }
        case Op.Yield:
          return setV(value ?? f.createVoidZero(), Op.Yield);
        case Op.YieldStar: {
          if (value === undefined) return unexpected(node, 'yield*');
          // TypeScript wraps the operand in __values (Symbol.iterator); __generator takes it as is.
          const inner =
            ts.isCallExpression(value) && ts.isIdentifier(value.expression) && ts.idText(value.expression) === '__values' && value.arguments.length === 1
              ? value.arguments[0]
              : value;
          return setV(inner, Op.YieldStar);
        }
        case Op.Endfinally:
          return f.createNumericLiteral(Op.Endfinally);
        default:
          return unexpected(node, `op ${op}`);
      }
    };
    return inBody;
  };

  return (file) => ts.visitNode(file, visit, ts.isSourceFile);
};

/** `__generator(this, function (state) { ... })` */
function isGeneratorCall(node: ts.Node): node is ts.CallExpression {
  return (
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    ts.idText(node.expression) === '__generator' &&
    node.arguments.length === 2 &&
    ts.isFunctionExpression(node.arguments[1])
  );
}

/** Whether `body` reads `arguments` outside nested functions. */
function readsArguments(body: ts.Node): boolean {
  let found = false;
  const look = (node: ts.Node): void => {
    if (found || ts.isFunctionLike(node)) return;
    if (ts.isIdentifier(node) && ts.idText(node) === 'arguments') found = true;
    else ts.forEachChild(node, look);
  };
  ts.forEachChild(body, look);
  return found;
}

/** `state.trys.push(region)` */
function isTrysPush(node: ts.Node, state: ts.Identifier): node is ts.CallExpression {
  if (!ts.isCallExpression(node) || node.arguments.length !== 1) return false;
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee) || ts.idText(callee.name) !== 'push') return false;
  const list = callee.expression;
  return ts.isPropertyAccessExpression(list) && list.expression === state && ts.idText(list.name) === 'trys';
}

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
