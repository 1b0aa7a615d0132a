/**
 * Feature detection the dialect checker accepts: code that only touches a missing global or
 * method after testing for it is safe on Espruino, since the test fails there and the code never
 * runs. Recognised tests, for a global `G` or a static method `O.m` (the "key"):
 *
 * - `typeof G !== 'undefined'`, `typeof G === 'function'` (or 'object'), either operand order,
 *   `==`/`!=` too: true when it exists; `typeof G === 'undefined'`: true when it does not;
 * - for a method also `O.m`, `O.m != null`, `O.m !== undefined` (and `!O.m`, `O.m == null`, ...):
 *   reading a missing property is harmless on Espruino, only calling it fails;
 * - `!test`, `a && b` (exists if either says so), `a || b` (missing if either says so).
 *
 * Code is guarded when it sits in the consequent of an `if`/`?:` whose test says the key exists
 * (or the alternate of one whose test says it is missing), or on the right of `test && ...`
 * (`test || ...` for a "missing" test). Host-side code.
 */
import type * as acorn from 'acorn';
import type { Node } from './scope.js';

export interface GuardContext {
  parentOf(node: Node): Node | undefined;
  /** True if the identifier is a reference to a global (declared nowhere in the program). */
  isGlobal(id: acorn.Identifier): boolean;
}

/** 'G' for a global identifier, 'O.m' for a static member of a global; else undefined. */
export function keyOf(node: Node, context: GuardContext): string | undefined {
  if (node.type === 'Identifier') return context.isGlobal(node) ? node.name : undefined;
  if (node.type !== 'MemberExpression' || node.object.type !== 'Identifier' || !context.isGlobal(node.object)) return undefined;
  if (!node.computed && node.property.type === 'Identifier') return `${node.object.name}.${node.property.name}`;
  if (node.computed && node.property.type === 'Literal' && typeof node.property.value === 'string') {
    return `${node.object.name}.${node.property.value}`;
  }
  return undefined;
}

const isNullish = (node: Node) =>
  (node.type === 'Literal' && node.value === null) || (node.type === 'Identifier' && node.name === 'undefined');

/** `typeof <key> <op> '<string>'` in either order: [op, string], else undefined. */
function typeofComparison(test: acorn.BinaryExpression, key: string, context: GuardContext): [string, string] | undefined {
  const sides: [Node, Node][] = [
    [test.left, test.right],
    [test.right, test.left],
  ];
  for (const [a, b] of sides) {
    if (a.type === 'UnaryExpression' && a.operator === 'typeof' && keyOf(a.argument, context) === key && b.type === 'Literal' && typeof b.value === 'string') {
      return [test.operator, b.value];
    }
  }
  return undefined;
}

/** The test is true only when `key` exists. */
export function saysExists(test: Node, key: string, context: GuardContext): boolean {
  const isMethod = key.includes('.');
  switch (test.type) {
    case 'BinaryExpression': {
      const cmp = typeofComparison(test, key, context);
      if (cmp) {
        const [op, value] = cmp;
        if (op === '!==' || op === '!=') return value === 'undefined';
        if (op === '===' || op === '==') return value === 'function' || value === 'object';
        return false;
      }
      if (isMethod && (test.operator === '!==' || test.operator === '!=')) {
        return (keyOf(test.left, context) === key && isNullish(test.right)) || (keyOf(test.right, context) === key && isNullish(test.left));
      }
      return false;
    }
    case 'LogicalExpression':
      return test.operator === '&&' && (saysExists(test.left, key, context) || saysExists(test.right, key, context));
    case 'UnaryExpression':
      return test.operator === '!' && saysMissing(test.argument, key, context);
    default:
      return isMethod && keyOf(test, context) === key;
  }
}

/** The test is true whenever `key` is missing. */
export function saysMissing(test: Node, key: string, context: GuardContext): boolean {
  const isMethod = key.includes('.');
  switch (test.type) {
    case 'BinaryExpression': {
      const cmp = typeofComparison(test, key, context);
      if (cmp) return (cmp[0] === '===' || cmp[0] === '==') && cmp[1] === 'undefined';
      if (isMethod && (test.operator === '===' || test.operator === '==')) {
        return (keyOf(test.left, context) === key && isNullish(test.right)) || (keyOf(test.right, context) === key && isNullish(test.left));
      }
      return false;
    }
    case 'LogicalExpression':
      return test.operator === '||' && (saysMissing(test.left, key, context) || saysMissing(test.right, key, context));
    case 'UnaryExpression':
      return test.operator === '!' && saysExists(test.argument, key, context);
    default:
      return false;
  }
}

/** `node` only runs when `key` exists (see the module comment). */
export function isGuarded(node: Node, key: string, context: GuardContext): boolean {
  let child = node;
  for (let parent = context.parentOf(node); parent; child = parent, parent = context.parentOf(parent)) {
    if (parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') {
      if (child === parent.consequent && saysExists(parent.test, key, context)) return true;
      if (child === parent.alternate && saysMissing(parent.test, key, context)) return true;
    } else if (parent.type === 'LogicalExpression' && child === parent.right) {
      if (parent.operator === '&&' && saysExists(parent.left, key, context)) return true;
      if (parent.operator === '||' && saysMissing(parent.left, key, context)) return true;
    }
  }
  return false;
}

/**
 * A read of a static member that only tests whether it exists (`typeof O.m`, `!O.m`, `if (O.m)`,
 * `O.m ? a : b`, `O.m || fallback`, `O.m === undefined`): harmless on Espruino when it is missing.
 */
export function isExistenceTest(member: Node, context: GuardContext): boolean {
  const parent = context.parentOf(member);
  if (!parent) return false;
  switch (parent.type) {
    case 'UnaryExpression':
      return parent.operator === 'typeof' || parent.operator === '!';
    case 'IfStatement':
    case 'ConditionalExpression':
    case 'WhileStatement':
    case 'DoWhileStatement':
      return parent.test === member;
    case 'LogicalExpression':
      return parent.left === member;
    case 'BinaryExpression':
      return ['===', '!==', '==', '!='].includes(parent.operator) && isNullish(parent.left === member ? parent.right : parent.left);
    default:
      return false;
  }
}
