/**
 * Detector expressions, as AWS IoT Events writes them:
 *
 *   $input.TemperatureInput.sensor.temperature > $variable.limit && !timeout('cooldown')
 *
 * Operands: `$input.<input>.<path>` (paths take `.name` and `[index]`), `$variable.<name>`,
 * numbers, 'strings' or "strings", `true`, `false`, `null`, `( ... )`, and the functions
 * `timeout('<timer>')`, `isUndefined(x)`, `isNull(x)`, `abs(x)`. Operators, loosest first:
 * `||`, `&&`, `== !=`, `< <= > >=`, `+ -`, `* / %`, then unary `!` and `-`.
 *
 * Parsed once when a model is saved: a malformed expression is an ExpressionError with its
 * 1-based line and column (the same `line:column: reason` form as the rules SQL), so a bad
 * model is refused before it runs. Evaluation never throws: a missing field, a variable never
 * set or a wrong type gives `undefined`, and a condition holds only when it is exactly `true`.
 * Substitution templates (`alerts/${$input.In.thing}`) use the same expressions.
 */
import { positionOf } from '../rules/sql/lexer.js';
import { equals, isObject, toNumber, toText } from '../rules/sql/values.js';

export class ExpressionError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${line}:${column}: ${reason}`);
    this.name = 'ExpressionError';
  }
}

type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export type Expression =
  | { kind: 'literal'; value: unknown }
  | { kind: 'input'; input: string }
  | { kind: 'variable'; name: string }
  | { kind: 'member'; object: Expression; name: string }
  | { kind: 'index'; object: Expression; index: Expression }
  | { kind: 'call'; name: FunctionName; args: Expression[] }
  | { kind: 'not'; operand: Expression }
  | { kind: 'negate'; operand: Expression }
  | { kind: 'binary'; op: BinaryOp; left: Expression; right: Expression };

const functionArity = { timeout: 1, isundefined: 1, isnull: 1, abs: 1 } as const;
type FunctionName = keyof typeof functionArity;

/** What an expression reads: the message being evaluated, the detector's variables, the timer that fired. */
export interface Scope {
  /** The input that triggered this evaluation and its message; absent for a timer. */
  input?: { name: string; message: unknown };
  variables: Readonly<Record<string, unknown>>;
  /** The timer whose expiry triggered this evaluation. */
  timedOut?: string;
}

type Token = { kind: 'number' | 'string' | 'word' | 'symbol' | 'end'; text: string; at: number };

const SYMBOLS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', '.', ',', '$', '}'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
const LEVELS: BinaryOp[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

class Parser {
  private offset: number;
  private ahead: Token | undefined;

  constructor(
    private readonly source: string,
    start = 0,
  ) {
    this.offset = start;
  }

  error(at: number, reason: string): ExpressionError {
    const { line, column } = positionOf(this.source, at);
    return new ExpressionError(line, column, reason);
  }

  peek(): Token {
    this.ahead ??= this.read();
    return this.ahead;
  }

  next(): Token {
    const token = this.peek();
    this.ahead = undefined;
    return token;
  }

  /** The offset just after the last token taken. */
  get position(): number {
    return this.ahead ? this.ahead.at : this.offset;
  }

  private fail(token: Token, expected: string): never {
    const found = token.kind === 'end' ? 'the end of the expression' : token.kind === 'string' ? `string '${token.text}'` : `'${token.text}'`;
    throw this.error(token.at, `expected ${expected}, found ${found}`);
  }

  private is(symbol: string): boolean {
    const t = this.peek();
    return t.kind === 'symbol' && t.text === symbol;
  }

  private expect(symbol: string, expected = `'${symbol}'`): void {
    if (!this.is(symbol)) this.fail(this.peek(), expected);
    this.next();
  }

  expectEnd(): void {
    if (this.peek().kind !== 'end') this.fail(this.peek(), 'an operator or the end of the expression');
  }

  expectClose(): void {
    if (!this.is('}')) this.fail(this.peek(), "an operator or '}'");
    this.next();
  }

  expression(level = 0): Expression {
    if (level === LEVELS.length) return this.unary();
    let left = this.expression(level + 1);
    for (;;) {
      const t = this.peek();
      const op = LEVELS[level]!.find((o) => t.kind === 'symbol' && t.text === o);
      if (op === undefined) return left;
      this.next();
      left = { kind: 'binary', op, left, right: this.expression(level + 1) };
    }
  }

  private unary(): Expression {
    if (this.is('!')) return this.next(), { kind: 'not', operand: this.unary() };
    if (this.is('-')) {
      this.next();
      const operand = this.unary();
      return operand.kind === 'literal' && typeof operand.value === 'number' ? { kind: 'literal', value: -operand.value } : { kind: 'negate', operand };
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expression): Expression {
    for (;;) {
      if (this.is('.')) {
        this.next();
        expr = { kind: 'member', object: expr, name: this.name('a field name after .') };
      } else if (this.is('[')) {
        this.next();
        const index = this.expression();
        this.expect(']', "']' after the index");
        expr = { kind: 'index', object: expr, index };
      } else {
        return expr;
      }
    }
  }

  private name(expected: string): string {
    const t = this.next();
    if (t.kind !== 'word') this.fail(t, expected);
    return t.text;
  }

  private primary(): Expression {
    const t = this.next();
    if (t.kind === 'number') return { kind: 'literal', value: Number(t.text) };
    if (t.kind === 'string') return { kind: 'literal', value: t.text };
    if (t.kind === 'word') {
      if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
      if (t.text === 'null') return { kind: 'literal', value: null };
      if (this.is('(')) return this.call(t);
      this.fail(t, "a value, $input, $variable, a function call or '('");
    }
    if (t.kind === 'symbol' && t.text === '(') {
      const inner = this.expression();
      this.expect(')', "')'");
      return inner;
    }
    if (t.kind === 'symbol' && t.text === '$') {
      const scope = this.next();
      if (scope.kind !== 'word' || (scope.text !== 'input' && scope.text !== 'variable')) this.fail(scope, "'input' or 'variable' after $");
      this.expect('.', `'.' after $${scope.text}`);
      const name = this.name(scope.text === 'input' ? 'an input name' : 'a variable name');
      return scope.text === 'input' ? { kind: 'input', input: name } : { kind: 'variable', name };
    }
    this.fail(t, "a value, $input, $variable, a function call or '('");
  }

  private call(nameToken: Token): Expression {
    const name = nameToken.text.toLowerCase() as FunctionName;
    if (!(name in functionArity)) throw this.error(nameToken.at, `unknown function ${nameToken.text}() (known: timeout, isUndefined, isNull, abs)`);
    this.next(); // (
    const args: Expression[] = [];
    if (!this.is(')')) {
      args.push(this.expression());
      while (this.is(',')) {
        this.next();
        args.push(this.expression());
      }
    }
    this.expect(')', "',' or ')'");
    if (args.length !== functionArity[name]) throw this.error(nameToken.at, `${nameToken.text}() takes ${functionArity[name]} argument, not ${args.length}`);
    if (name === 'timeout' && (args[0]!.kind !== 'literal' || typeof args[0].value !== 'string')) throw this.error(nameToken.at, "timeout() takes a timer name in quotes: timeout('name')");
    return { kind: 'call', name, args };
  }

  private read(): Token {
    while (this.offset < this.source.length && /\s/.test(this.source[this.offset]!)) this.offset++;
    const at = this.offset;
    const rest = this.source.slice(at);
    if (rest === '') return { kind: 'end', text: '', at };
    const match = (kind: Token['kind'], pattern: RegExp): Token | undefined => {
      const text = pattern.exec(rest)?.[0];
      if (text === undefined) return undefined;
      this.offset += text.length;
      return { kind, text, at };
    };
    const token = match('word', /^[A-Za-z_][A-Za-z0-9_]*/) ?? match('number', /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/);
    if (token) return token;
    if (rest[0] === "'" || rest[0] === '"') return this.readString(rest[0]);
    const symbol = SYMBOLS.find((s) => rest.startsWith(s));
    if (symbol !== undefined) return (this.offset += symbol.length), { kind: 'symbol', text: symbol, at };
    const meant = ({ '=': '==', '&': '&&', '|': '||' } as Record<string, string>)[rest[0]!];
    throw this.error(at, `unexpected character '${rest[0]}'${meant ? `: compare or combine with ${meant}` : ''}`);
  }

  private readString(quote: string): Token {
    const at = this.offset;
    let text = '';
    for (let i = at + 1; ; i++) {
      const c = this.source[i];
      if (c === undefined) throw this.error(at, `string starting here is not closed: expected ${quote}`);
      if (c === quote) {
        this.offset = i + 1;
        return { kind: 'string', text, at };
      }
      if (c === '\\') {
        const escaped = ESCAPES[this.source[i + 1] ?? ''];
        if (escaped === undefined) throw this.error(i, `unknown escape '\\${this.source[i + 1] ?? ''}' in string`);
        text += escaped;
        i++;
      } else {
        text += c;
      }
    }
  }
}

/** Parses one expression; throws an ExpressionError. */
export function parseExpression(source: string): Expression {
  const parser = new Parser(source);
  const expr = parser.expression();
  parser.expectEnd();
  return expr;
}

export type Template = (string | Expression)[];

/** Parses text with `${expression}` parts; errors are placed in the whole text. */
export function parseTemplate(text: string): Template {
  const parts: Template = [];
  let at = 0;
  for (let open = text.indexOf('${'); open >= 0; open = text.indexOf('${', at)) {
    if (open > at) parts.push(text.slice(at, open));
    const parser = new Parser(text, open + 2);
    parts.push(parser.expression());
    if (parser.peek().kind === 'end') throw parser.error(open, "'${' is not closed: expected '}'");
    parser.expectClose();
    at = parser.position;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/** The timers an expression tests with timeout('name'), and the inputs it reads. */
export function references(expr: Expression, found = { timers: new Set<string>(), inputs: new Set<string>() }) {
  const visit = (e: Expression): void => {
    switch (e.kind) {
      case 'input': found.inputs.add(e.input); break;
      case 'member': visit(e.object); break;
      case 'index': visit(e.object); visit(e.index); break;
      case 'call':
        if (e.name === 'timeout') found.timers.add((e.args[0] as { value: string }).value);
        e.args.forEach(visit);
        break;
      case 'not': case 'negate': visit(e.operand); break;
      case 'binary': visit(e.left); visit(e.right); break;
      default:
    }
  };
  visit(expr);
  return found;
}

export function evaluate(expr: Expression, scope: Scope): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'input':
      return scope.input?.name === expr.input ? scope.input.message : undefined;
    case 'variable':
      return Object.hasOwn(scope.variables, expr.name) ? scope.variables[expr.name] : undefined;
    case 'member': {
      const object = evaluate(expr.object, scope);
      return isObject(object) && Object.hasOwn(object, expr.name) ? object[expr.name] : undefined;
    }
    case 'index': {
      const object = evaluate(expr.object, scope);
      const index = evaluate(expr.index, scope);
      if (Array.isArray(object)) return typeof index === 'number' && Number.isInteger(index) ? object[index] : undefined;
      return isObject(object) && typeof index === 'string' && Object.hasOwn(object, index) ? object[index] : undefined;
    }
    case 'call': {
      const arg = evaluate(expr.args[0]!, scope);
      if (expr.name === 'timeout') return scope.timedOut === arg;
      if (expr.name === 'isundefined') return arg === undefined;
      if (expr.name === 'isnull') return arg === null;
      const n = toNumber(arg);
      return n === undefined ? undefined : Math.abs(n);
    }
    case 'not': {
      const value = evaluate(expr.operand, scope);
      return typeof value === 'boolean' ? !value : undefined;
    }
    case 'negate': {
      const n = toNumber(evaluate(expr.operand, scope));
      return n === undefined ? undefined : -n;
    }
    case 'binary':
      return binary(expr.op, expr.left, expr.right, scope);
  }
}

function binary(op: BinaryOp, leftExpr: Expression, rightExpr: Expression, scope: Scope): unknown {
  const left = evaluate(leftExpr, scope);
  // && and || short-circuit; anything but true counts as false.
  if (op === '&&') return left === true && evaluate(rightExpr, scope) === true;
  if (op === '||') return left === true || evaluate(rightExpr, scope) === true;
  const right = evaluate(rightExpr, scope);
  if (op === '==' || op === '!=') {
    const same = typeof left === 'number' || typeof right === 'number' ? toNumber(left) === toNumber(right) && toNumber(left) !== undefined : equals(left, right);
    return same === undefined ? undefined : op === '==' ? same : !same;
  }
  // + joins text when either side is a string that is not a number.
  if (op === '+' && (typeof left === 'string' || typeof right === 'string') && (toNumber(left) === undefined || toNumber(right) === undefined)) {
    const a = toText(left);
    const b = toText(right);
    return a === undefined || b === undefined ? undefined : a + b;
  }
  if (typeof left === 'string' && typeof right === 'string' && (toNumber(left) === undefined || toNumber(right) === undefined)) {
    if (op === '<') return left < right;
    if (op === '<=') return left <= right;
    if (op === '>') return left > right;
    if (op === '>=') return left >= right;
  }
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
    case '/': return b === 0 ? undefined : a / b;
    case '%': return b === 0 ? undefined : a % b;
  }
}

/** Whether a condition holds: only an exact `true` does. */
export const holds = (expr: Expression | undefined, scope: Scope): boolean => expr === undefined || evaluate(expr, scope) === true;

/** A template's text: each `${...}` as its value's text (objects and arrays as JSON, undefined as ''). */
export function render(template: Template, scope: Scope): string {
  return template.map((part) => (typeof part === 'string' ? part : (toText(evaluate(part, scope)) ?? ''))).join('');
}
