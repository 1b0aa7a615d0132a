/**
 * Runs a parsed statement against one message: WHERE first (only a true result — a Boolean or
 * the string "true" — lets the message through; Undefined does not), then SELECT builds the
 * output. Fields that are Undefined are left out of the output, as AWS does; `SELECT *` of a
 * payload that is not JSON yields the payload's bytes unchanged.
 */
import type { BinaryOp, Expr, Statement } from './ast.js';
import { functions, type EvalContext } from './functions.js';
import { cast, equals, isObject, toBoolean, toNumber, type SqlValue } from './values.js';

export type { EvalContext } from './functions.js';

export type Evaluation = { matched: false } | { matched: true; output: SqlValue };

/** The payload as JSON, or undefined if it is not UTF-8 JSON. */
export function parsePayload(payload: Buffer): SqlValue {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as unknown;
  } catch {
    return undefined;
  }
}

/** Evaluates `statement` for a message; `document` is its parsed payload when the caller already has it. */
export async function evaluate(statement: Statement, context: EvalContext, document: SqlValue = parsePayload(context.payload)): Promise<Evaluation> {
  const scope = new Scope(context, document);
  if (statement.where && toBoolean(await scope.eval(statement.where)) !== true) return { matched: false };
  return { matched: true, output: await scope.select(statement) };
}

/** Evaluates one expression (a substitution template's) for a message. */
export function evaluateExpression(expr: Expr, context: EvalContext, document: SqlValue = parsePayload(context.payload)): Promise<SqlValue> {
  return new Scope(context, document).eval(expr);
}

class Scope {
  constructor(
    private readonly context: EvalContext,
    private readonly document: SqlValue,
  ) {}

  async select(statement: Statement): Promise<SqlValue> {
    const [first] = statement.select;
    if (statement.select.length === 1 && first!.expr.kind === 'payload') return this.document === undefined ? this.context.payload : structuredClone(this.document);
    const output: Record<string, unknown> = {};
    for (const item of statement.select) {
      if (item.expr.kind === 'payload') {
        if (isObject(this.document)) Object.assign(output, structuredClone(this.document));
        continue;
      }
      const value = await this.eval(item.expr);
      if (value !== undefined) place(output, item.name, value);
    }
    return output;
  }

  async eval(expr: Expr): Promise<SqlValue> {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'payload':
        return this.document === undefined ? this.context.payload : this.document;
      case 'field':
        return isObject(this.document) && Object.hasOwn(this.document, expr.name) ? this.document[expr.name] : undefined;
      case 'member': {
        const object = await this.eval(expr.object);
        return isObject(object) && Object.hasOwn(object, expr.name) ? object[expr.name] : undefined;
      }
      case 'index': {
        const object = await this.eval(expr.object);
        const index = await this.eval(expr.index);
        if (Array.isArray(object)) return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? object[index] : undefined;
        return isObject(object) && typeof index === 'string' && Object.hasOwn(object, index) ? object[index] : undefined;
      }
      case 'call': {
        const args: SqlValue[] = [];
        // `*` given to a function (encode(*, 'base64')) is the payload's bytes, exactly as published.
        for (const arg of expr.args) args.push(arg.kind === 'payload' ? this.context.payload : await this.eval(arg));
        return functions[expr.name]!.call(args, this.context);
      }
      case 'cast':
        return cast(await this.eval(expr.value), expr.type);
      case 'not': {
        const b = toBoolean(await this.eval(expr.operand));
        return b === undefined ? undefined : !b;
      }
      case 'negate': {
        const n = toNumber(await this.eval(expr.operand));
        return n === undefined ? undefined : -n;
      }
      case 'binary':
        return binary(expr.op, await this.eval(expr.left), await this.eval(expr.right));
      case 'case': {
        const subject = expr.subject && (await this.eval(expr.subject));
        for (const { when, then } of expr.whens) {
          const w = await this.eval(when);
          if (expr.subject ? equals(subject, w) === true : toBoolean(w) === true) return this.eval(then);
        }
        return expr.otherwise && this.eval(expr.otherwise);
      }
      case 'object': {
        const object: Record<string, unknown> = {};
        for (const { key, value } of expr.entries) {
          const v = await this.eval(value);
          if (v !== undefined) object[key] = v;
        }
        return object;
      }
      case 'array': {
        const items: unknown[] = [];
        for (const item of expr.items) items.push(await this.eval(item));
        return items;
      }
    }
  }
}

function binary(op: BinaryOp, left: SqlValue, right: SqlValue): SqlValue {
  switch (op) {
    case 'AND':
    case 'OR': {
      const a = toBoolean(left);
      const b = toBoolean(right);
      if (a === undefined || b === undefined) return undefined;
      return op === 'AND' ? a && b : a || b;
    }
    case '=':
      return equals(left, right);
    case '<>': {
      const same = equals(left, right);
      return same === undefined ? undefined : !same;
    }
  }
  // Arithmetic and ordering convert both sides to numbers (numeric strings included).
  const a = toNumber(left);
  const b = toNumber(right);
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/':
      if (b === 0) return undefined;
      // Int / Int is an Int, as in AWS.
      return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
    case '%':
      return b === 0 ? undefined : a % b;
  }
}

/** Sets `value` at a nested path (`AS a.b.c`), making the objects on the way. */
function place(output: Record<string, unknown>, path: string[], value: unknown): void {
  let at = output;
  for (const key of path.slice(0, -1)) {
    if (!isObject(at[key])) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}
