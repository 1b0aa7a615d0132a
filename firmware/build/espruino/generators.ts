/**
 * mote's rewrite of TypeScript's ES5 generator bodies, for mote's `__generator` (helpers.ts),
 * run after TypeScript's transforms. TypeScript turns a generator function into
 *
 *     function g() { var i; return __generator(this, function (_a) { switch (_a.label) { ... } }); }
 *
 * where the body returns `[op, operand]` arrays and calls `_a.sent()` on every resume. Here:
 *
 * - ops are numbers, the operand in the state's `v` (`return _a.v = x, 4` is a yield of x), so
 *   a resume allocates no array; a yield* operand is taken as is (no `__values`);
 * - the resumed value is read as `_a.x`, not by calling `_a.sent()`: `__generator` raises what
 *   throw() sends at the resume point itself;
 * - try regions are entered with `_a.tr(region)`: the state has no try list until one is;
 * - in a body without try regions, a jump (`[3, label]`) that is not inside a loop or switch of
 *   its own stays in the body: `_a.label = L; break;` inside `for (;;) switch (_a.label)`,
 *   instead of a return to `__generator` and a new call of the body (every loop turn is a jump);
 * - each case's statements are a block, which Espruino skips fast when the case does not run;
 * - the body takes no `this` or `arguments` from `__generator`: the generator function passes
 *   them as locals (`var _this = this;`, as TypeScript does for arrows; TypeScript would leave
 *   `arguments` reading the body's own), and the call is `__generator(body)`.
 *
 * A body in any other shape is an error, not silently wrong code.
 */
import ts from 'typescript';

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

export const leanGeneratorBodies: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;

  /** Anywhere: finds generator functions, `function () { ...; return __generator(this, function (state) { ... }); }`. */
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) {
      const updated = leanGeneratorFunction(node);
      if (updated !== undefined) return updated;
    }
    if (isGeneratorCall(node)) unexpected(node, 'place of __generator (not the return of its function)');
    return ts.visitEachChild(node, visit, context);
  };

  /**
   * The body closure does not take `this` or `arguments` from __generator: the generator
   * function passes them as locals (`var _this = this;` when the body reads `this`, as TypeScript
   * does for arrows, and likewise `arguments`, which TypeScript would otherwise leave reading the
   * body's own), so the call is `__generator(body)` and __generator calls `body(state)` directly.
   */
  const leanGeneratorFunction = (node: ts.FunctionDeclaration | ts.FunctionExpression): ts.Node | undefined => {
    const statements = node.body?.statements;
    const last = statements?.[statements.length - 1];
    if (statements === undefined || last === undefined || !ts.isReturnStatement(last) || last.expression === undefined) return undefined;
    const call = last.expression;
    if (!isGeneratorCall(call)) return undefined;
    const fn = call.arguments[1] as ts.FunctionExpression;
    const declarations: ts.VariableDeclaration[] = [];
    const alias = (name: string, value: ts.Expression) => {
      const id = f.createUniqueName(name);
      declarations.push(f.createVariableDeclaration(id, undefined, undefined, value));
      return id;
    };
    const thisAlias = reads(fn.body, (n) => n.kind === ts.SyntaxKind.ThisKeyword) ? alias('_this', f.createThis()) : undefined;
    const argumentsAlias = reads(fn.body, (n) => ts.isIdentifier(n) && ts.idText(n) === 'arguments') ? alias('arguments', f.createIdentifier('arguments')) : undefined;
    const before = statements.slice(0, -1).map((s) => ts.visitNode(s, visit) as ts.Statement);
    const declare = declarations.length === 0 ? [] : [f.createVariableStatement(undefined, declarations)];
    const body = f.updateBlock(node.body as ts.Block, [...before, ...declare, f.updateReturnStatement(last, leanCall(call, thisAlias, argumentsAlias))]);
    return ts.isFunctionDeclaration(node)
      ? f.updateFunctionDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, body)
      : f.updateFunctionExpression(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, body);
  };

  /**
   * A body without try regions is one `switch (state.label)`; it becomes `for (;;) switch ...`,
   * and a jump that is not inside a loop or switch of its own is `state.label = L; break;`
   * (`break` leaves the switch and the loop dispatches again) instead of a return to
   * __generator and a new call of the body: loops in generators are jumps on every turn.
   */
  const leanCall = (node: ts.CallExpression, thisAlias: ts.Identifier | undefined, argumentsAlias: ts.Identifier | undefined): ts.CallExpression => {
    const fn = node.arguments[1] as ts.FunctionExpression;
    const param = fn.parameters[0];
    if (param === undefined || !ts.isIdentifier(param.name)) unexpected(fn, 'generator state parameter');
    const state = param.name;
    const [first, ...others] = fn.body.statements;
    const dispatch =
      first !== undefined && others.length === 0 && ts.isSwitchStatement(first) && !hasTryRegions(fn.body, state) ? first : undefined;
    const visitor = bodyVisitor(state, thisAlias, argumentsAlias, dispatch);
    let body = ts.visitEachChild(fn.body, visitor.inBody, context);
    const [top, ...rest] = body.statements;
    if (top !== undefined && rest.length === 0 && ts.isSwitchStatement(top)) {
      const blocked = blockCases(top);
      body = f.updateBlock(body, [visitor.localJumps() > 0 ? f.createForStatement(undefined, undefined, undefined, blocked) : blocked]);
    }
    const lean = f.updateFunctionExpression(fn, fn.modifiers, fn.asteriskToken, fn.name, fn.typeParameters, fn.parameters, fn.type, body);
    return f.updateCallExpression(node, node.expression, node.typeArguments, [lean]);
  };

  /**
   * `case 3: { ... }`: Espruino reads a switch's cases in turn on every dispatch, executing or
   * not (it interprets source), and the statements of a case that does not run, or that follow a
   * `return` or `break`, it parses without running them, except a block, which it skips by
   * matching braces, much faster. A body's cases hold no declarations that a block would scope.
   */
  const blockCases = (node: ts.SwitchStatement): ts.SwitchStatement => {
    const clauses = node.caseBlock.clauses.map((clause) => {
      const [only] = clause.statements;
      if (clause.statements.length === 0 || (clause.statements.length === 1 && ts.isBlock(only))) return clause;
      const block = f.createBlock(clause.statements, true);
      return ts.isCaseClause(clause) ? f.updateCaseClause(clause, clause.expression, [block]) : f.updateDefaultClause(clause, [block]);
    });
    return f.updateSwitchStatement(node, node.expression, f.updateCaseBlock(node.caseBlock, clauses));
  };

  /** Inside one generator body, outside nested functions. */
  const bodyVisitor = (
    state: ts.Identifier,
    thisAlias: ts.Identifier | undefined,
    argumentsAlias: ts.Identifier | undefined,
    dispatch: ts.SwitchStatement | undefined,
  ) => {
    const stateV = () => f.createPropertyAccessExpression(state, 'v');
    const setV = (value: ts.Expression, op: number) =>
      f.createComma(f.createAssignment(stateV(), value), f.createNumericLiteral(op));
    /** Loops and switches (other than the dispatch) around the node being visited. */
    let nesting = 0;
    let localJumps = 0;
    const jumpBlocks = new WeakSet<ts.Node>();
    const jumpBlock = (block: ts.Block) => {
      jumpBlocks.add(block);
      return block;
    };
    const inBody = (node: ts.Node): ts.Node => {
      if (ts.isFunctionLike(node) || ts.isClassLike(node)) return visit(node);
      if (ts.isIterationStatement(node, false) || (ts.isSwitchStatement(node) && node !== dispatch)) {
        nesting++;
        try {
          return ts.visitEachChild(node, inBody, context);
        } finally {
          nesting--;
        }
      }
      if (dispatch !== undefined && nesting === 0 && ts.isReturnStatement(node)) {
        const label = breakTarget(node);
        if (label !== undefined) {
          localJumps++;
          const setLabel = f.createExpressionStatement(f.createAssignment(f.createPropertyAccessExpression(state, 'label'), f.createNumericLiteral(label)));
          return jumpBlock(ts.setTextRange(f.createBlock([ts.setTextRange(setLabel, node), f.createBreakStatement()]), node));
        }
      }
      if (thisAlias !== undefined && node.kind === ts.SyntaxKind.ThisKeyword) return thisAlias;
      if (argumentsAlias !== undefined) {
        if (ts.isIdentifier(node) && ts.idText(node) === 'arguments') return argumentsAlias;
        // Names that are not references: `x.arguments`, `{ arguments: v }`.
        if (ts.isPropertyAccessExpression(node)) return f.updatePropertyAccessExpression(node, ts.visitNode(node.expression, inBody) as ts.Expression, node.name);
        if (ts.isPropertyAssignment(node)) return f.updatePropertyAssignment(node, node.name, ts.visitNode(node.initializer, inBody) as ts.Expression);
      }
      if (ts.isReturnStatement(node)) return f.updateReturnStatement(node, leanOp(node));
      // The resumed value: `state.sent()` was a call that also threw what throw() sent; mote's
      // __generator raises that itself, at the resume point, so the body only reads the value.
      if (ts.isCaseClause(node) || ts.isDefaultClause(node) || ts.isBlock(node)) {
        const kept = node.statements.filter((st) => !(ts.isExpressionStatement(st) && isSent(st.expression, state)));
        // A local jump directly in a statement list needs no block of its own.
        const statements = kept.flatMap((st) => {
          const visited = ts.visitNode(st, inBody) as ts.Statement;
          return jumpBlocks.has(visited) ? [...(visited as ts.Block).statements] : [visited];
        });
        if (ts.isCaseClause(node)) return f.updateCaseClause(node, ts.visitNode(node.expression, inBody) as ts.Expression, statements);
        return ts.isDefaultClause(node) ? f.updateDefaultClause(node, statements) : f.updateBlock(node, statements);
      }
      if (ts.isExpressionStatement(node) && isSent(node.expression, state)) return f.createEmptyStatement();
      if (isSent(node, state)) return ts.setTextRange(f.createPropertyAccessExpression(state, 'x'), node);
      if (ts.isPropertyAccessExpression(node) && node.expression === state && ts.idText(node.name) === 'sent') unexpected(node, 'use of sent');
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
    return { inBody, localJumps: () => localJumps };
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

/** Whether `test` holds for a node of `body` outside nested functions. */
function reads(body: ts.Node, test: (node: ts.Node) => boolean): boolean {
  let found = false;
  const look = (node: ts.Node): void => {
    if (found || ts.isFunctionLike(node)) return;
    if (test(node)) found = true;
    else ts.forEachChild(node, look);
  };
  ts.forEachChild(body, look);
  return found;
}

/** The label of a break op (`return [3, label]`), else undefined. */
function breakTarget(node: ts.ReturnStatement): number | undefined {
  const array = node.expression;
  if (array === undefined || !ts.isArrayLiteralExpression(array) || array.elements.length !== 2) return undefined;
  const [code, label] = array.elements;
  if (!ts.isNumericLiteral(code) || Number(code.text) !== Op.Break || !ts.isNumericLiteral(label)) return undefined;
  return Number(label.text);
}

/** Whether the body enters try regions (`state.trys.push(...)`). */
function hasTryRegions(body: ts.Node, state: ts.Identifier): boolean {
  let found = false;
  const look = (node: ts.Node): void => {
    if (found || ts.isFunctionLike(node)) return;
    if (isTrysPush(node, state)) found = true;
    else ts.forEachChild(node, look);
  };
  ts.forEachChild(body, look);
  return found;
}

/** `state.sent()` */
function isSent(node: ts.Node, state: ts.Identifier): node is ts.CallExpression {
  return (
    ts.isCallExpression(node) &&
    node.arguments.length === 0 &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.expression === state &&
    ts.idText(node.expression.name) === 'sent'
  );
}

/** `state.trys.push(region)` */
function isTrysPush(node: ts.Node, state: ts.Identifier): node is ts.CallExpression {
  if (!ts.isCallExpression(node) || node.arguments.length !== 1) return false;
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee) || ts.idText(callee.name) !== 'push') return false;
  const list = callee.expression;
  return ts.isPropertyAccessExpression(list) && list.expression === state && ts.idText(list.name) === 'trys';
}
