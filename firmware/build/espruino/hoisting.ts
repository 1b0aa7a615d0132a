/**
 * Use-before-declaration of function declarations. Espruino 2v29 does not hoist: a function
 * declaration defines its name only when execution reaches the statement. So a call above the
 * declaration fails (table row 'function hoisting at top'), and so does any use of a function
 * declared after a `return` (row 'function decl after return'; TypeScript's ES5 `__generator`
 * helper does exactly that with `verb` and `step`).
 *
 * The rule, for a function declaration F in its "home" (the function, static block or program
 * whose code contains the declaration statement):
 *
 * 1. If the declaration follows a `return`, `throw`, `break` or `continue` in its own statement
 *    list or an enclosing one (up to the home's body), it never runs: every use of F is reported.
 * 2. Otherwise a use of F is reported when it can run before the declaration statement, judged in
 *    the home's source order (textual order stands for execution order; loops are not unrolled):
 *    - a use directly in the home's code (blocks included) runs at its own position;
 *    - a use inside a nested function G runs when G can first run, which is:
 *      - for a declared function, or a function (or object literal of methods, or class) held in a
 *        variable: at the first read of that name (a call, or passing it on, which might call it);
 *      - for a method, getter, constructor or instance field of a class: at the first read of the
 *        class's name (`new A`, `A.s()`); a static field or static block: where the class is defined;
 *      - for a method of an object literal not held in a variable, a function stored into a
 *        property (`o.f = function () {}`), or a callback given to setTimeout, setInterval,
 *        setWatch, `.then`, `.catch` or `.on`: never during the home's straight-line code (it is
 *        assumed to be called later, once the home's declarations have run);
 *      - for any other function (an immediately invoked one, a callback given to any other call,
 *        a returned one, ...): where it is created, since it may be called at once;
 *      and so on outwards, until a point in the home's own code is reached.
 *
 * Host-side code.
 */
import type * as acorn from 'acorn';
import type { Binding, Node, Reference, ScopeAnalysis } from './scope.js';

export interface HoistingUse {
  /** The use of the function. */
  reference: Reference;
  /** The function's declaration. */
  declaration: acorn.FunctionDeclaration;
  /** 'unreachable': the declaration follows a return and never runs; 'before': the use can run first. */
  reason: 'unreachable' | 'before';
  /** For a use inside a nested function: the point in the home's code where that function can first run. */
  via?: Node;
}

type Context = Node;
type Point = { at: number; site?: Node; low: number };

const NO_CYCLE = Number.POSITIVE_INFINITY;
const DEFERRING_FUNCTIONS = new Set(['setTimeout', 'setInterval', 'setWatch']);
const DEFERRING_METHODS = new Set(['then', 'catch', 'on']);
const JUMPS = new Set(['ReturnStatement', 'ThrowStatement', 'BreakStatement', 'ContinueStatement']);

const isFunction = (node: Node): node is acorn.Function & Node =>
  node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';

const isContext = (node: Node) =>
  isFunction(node) || node.type === 'StaticBlock' || node.type === 'PropertyDefinition' || node.type === 'Program';

const within = (node: Node, outer: Node) => outer.start <= node.start && node.end <= outer.end;

export function findHoistingProblems(analysis: ScopeAnalysis): HoistingUse[] {
  const { parentOf, bindingOf } = analysis;
  const referenceOf = new Map<acorn.Identifier, Reference>();
  const globalReads = new Map<string, acorn.Identifier[]>();
  for (const ref of analysis.references) {
    referenceOf.set(ref.id, ref);
    if (!ref.binding && ref.read) globalReads.set(ref.id.name, [...(globalReads.get(ref.id.name) ?? []), ref.id]);
  }

  const contextOf = (node: Node): Context => {
    let current = parentOf(node);
    while (current && !isContext(current)) current = parentOf(current);
    return current ?? analysis.program;
  };

  const reads = (binding: Binding | undefined): Node[] =>
    binding ? binding.references.filter((ref) => ref.read).map((ref) => ref.id) : [];

  const classOf = (member: Node): Node | undefined => {
    const body = parentOf(member);
    return body ? parentOf(body) : undefined;
  };

  const isDeferringCall = (call: acorn.CallExpression | acorn.NewExpression): boolean => {
    const callee = call.callee;
    if (callee.type === 'Identifier') return DEFERRING_FUNCTIONS.has(callee.name) && !referenceOf.get(callee)?.binding;
    return callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && DEFERRING_METHODS.has(callee.property.name);
  };

  /** Where a value (a function, an object of methods, a class) may start being used. */
  const holderSites = (value: Node, stored: boolean): Node[] => {
    const parent = parentOf(value);
    if (parent?.type === 'VariableDeclarator' && parent.init === value && parent.id.type === 'Identifier') {
      return reads(bindingOf(parent.id));
    }
    if (parent?.type === 'AssignmentExpression' && parent.right === value && parent.operator === '=') {
      if (parent.left.type !== 'Identifier') return []; // stored into a property: called later
      const ref = referenceOf.get(parent.left);
      return ref?.binding ? reads(ref.binding) : (globalReads.get(parent.left.name) ?? []);
    }
    if (stored) return [];
    if ((parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && parent.arguments.includes(value as acorn.Expression) && isDeferringCall(parent)) {
      return [];
    }
    return [value];
  };

  const classSites = (cls: Node | undefined): Node[] => {
    if (!cls) return [];
    if (cls.type === 'ClassDeclaration' && cls.id) return reads(bindingOf(cls.id));
    return holderSites(cls, true);
  };

  /** The points at which code in context `context` may start running. */
  const sitesOf = (context: Context): Node[] => {
    switch (context.type) {
      case 'FunctionDeclaration':
        return context.id ? reads(bindingOf(context.id)) : [];
      case 'StaticBlock': {
        const cls = classOf(context);
        return cls ? [cls] : [];
      }
      case 'PropertyDefinition': {
        const cls = classOf(context);
        if (context.static) return cls ? [cls] : [];
        return classSites(cls);
      }
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const parent = parentOf(context);
        if (parent?.type === 'MethodDefinition') return classSites(classOf(parent));
        if (parent?.type === 'Property' && parent.value === context) {
          const object = parentOf(parent);
          if (object?.type === 'ObjectExpression') return holderSites(object, true);
        }
        return holderSites(context, false);
      }
      default:
        return [];
    }
  };

  const memo = new Map<Context, Map<Context, { at: number; site?: Node }>>();
  const onStack = new Map<Context, number>();

  /** The earliest point in `home`'s own code at which `node` can run. */
  const pointOf = (node: Node, home: Context): Point => {
    if (!within(node, home)) return { at: Infinity, low: NO_CYCLE };
    const context = contextOf(node);
    if (context === home) return { at: node.start, site: node, low: NO_CYCLE };
    return activationOf(context, home);
  };

  /** The earliest point in `home`'s own code at which nested context `context` can start running. */
  const activationOf = (context: Context, home: Context): Point => {
    const cached = memo.get(home)?.get(context);
    if (cached) return { ...cached, low: NO_CYCLE };
    const depth = onStack.get(context);
    if (depth !== undefined) return { at: Infinity, low: depth };

    const myDepth = onStack.size;
    onStack.set(context, myDepth);
    let best: Point = { at: Infinity, low: NO_CYCLE };
    for (const site of sitesOf(context)) {
      const point = pointOf(site, home);
      if (point.at < best.at) best = { at: point.at, site: point.site, low: best.low };
      best.low = Math.min(best.low, point.low);
    }
    onStack.delete(context);
    // Cache only a complete answer: one that did not cut a cycle through a context still being
    // computed further up (its own cycles are fine).
    if (best.low >= myDepth) {
      let forHome = memo.get(home);
      if (!forHome) memo.set(home, (forHome = new Map()));
      forHome.set(context, { at: best.at, site: best.site });
      best.low = NO_CYCLE;
    }
    return best;
  };

  const unreachable = (declaration: Node, home: Context): boolean => {
    let child: Node = declaration;
    for (let parent = parentOf(declaration); parent; child = parent, parent = parentOf(parent)) {
      const list =
        parent.type === 'BlockStatement' || parent.type === 'Program' || parent.type === 'StaticBlock'
          ? parent.body
          : parent.type === 'SwitchCase'
            ? parent.consequent
            : undefined;
      if (list) {
        for (const statement of list as Node[]) {
          if (statement === child) break;
          if (JUMPS.has(statement.type)) return true;
        }
      }
      if (parent === home) break;
    }
    return false;
  };

  const problems: HoistingUse[] = [];
  const seen = new Set<Binding>();
  for (const ref of analysis.references) {
    const binding = ref.binding;
    if (!binding || binding.kind !== 'function' || seen.has(binding)) continue;
    seen.add(binding);
    const declaration = binding.declaration as acorn.FunctionDeclaration;
    const home = contextOf(declaration);
    const neverDefined = unreachable(declaration, home);
    for (const use of binding.references) {
      if (!use.read) continue;
      if (neverDefined) {
        problems.push({ reference: use, declaration, reason: 'unreachable' });
        continue;
      }
      const point = pointOf(use.id, home);
      if (point.at < declaration.start) {
        problems.push({ reference: use, declaration, reason: 'before', ...(point.site && point.site !== use.id ? { via: point.site } : {}) });
      }
    }
  }
  return problems.sort((a, b) => a.reference.id.start - b.reference.id.start);
}
