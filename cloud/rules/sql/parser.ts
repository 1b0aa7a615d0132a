/**
 * AWS IoT SQL (version 2016-03-23) by recursive descent:
 *
 *   SELECT item, ... FROM 'topic/filter' [WHERE condition]      item = * | expr [AS name.path]
 *
 * Precedence, loosest first: OR, AND, NOT, comparisons (= <> != < <= > >=), + -, * / %, unary -,
 * then `.name` and `[index]` after any operand. Literals: numbers, 'strings' or "strings",
 * TRUE, FALSE, NULL, {'key': expr} objects and [expr, ...] arrays. Function names and their
 * number of arguments are checked here, so a rule with a typo never gets stored.
 *
 * Errors are SqlSyntaxErrors with the 1-based line and column and what was expected.
 */
import { topicFilterProblem } from '../../../sdk/mqtt/topics.js';
import type { BinaryOp, CastType, Expr, SelectItem, Statement } from './ast.js';
import { functions } from './functions.js';
import { Lexer, describe, type Token } from './lexer.js';

const comparisons: Record<string, BinaryOp> = { '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const castTypes: readonly CastType[] = ['Int', 'Decimal', 'Boolean', 'String'];

/** Parses a whole statement. */
export function parseSql(source: string): Statement {
  const parser = new Parser(new Lexer(source));
  return parser.statement();
}

/** Parses one expression (a substitution template's `${...}`). */
export function parseExpression(source: string): Expr {
  const parser = new Parser(new Lexer(source));
  const expr = parser.expression();
  parser.expectEnd();
  return expr;
}

class Parser {
  constructor(private readonly lexer: Lexer) {}

  private fail(token: Token, expected: string): never {
    throw this.lexer.error(token.at, `expected ${expected}, found ${describe(token)}`);
  }

  private isKeyword(word: string): boolean {
    const t = this.lexer.peek();
    return t.kind === 'keyword' && t.text === word;
  }

  private isSymbol(symbol: string): boolean {
    const t = this.lexer.peek();
    return t.kind === 'symbol' && t.text === symbol;
  }

  private keyword(word: string, expected = word): Token {
    if (!this.isKeyword(word)) this.fail(this.lexer.peek(), expected);
    return this.lexer.next();
  }

  private symbol(symbol: string, expected = `'${symbol}'`): Token {
    if (!this.isSymbol(symbol)) this.fail(this.lexer.peek(), expected);
    return this.lexer.next();
  }

  expectEnd(): void {
    const t = this.lexer.peek();
    if (t.kind !== 'end') this.fail(t, 'an operator or the end of the expression');
  }

  statement(): Statement {
    this.keyword('SELECT');
    const select: SelectItem[] = [this.selectItem()];
    while (this.isSymbol(',')) {
      this.lexer.next();
      select.push(this.selectItem());
    }
    if (!this.isKeyword('FROM')) this.fail(this.lexer.peek(), select.length === 1 ? "',', AS or FROM" : "',' or FROM");
    this.lexer.next();
    const from = this.topicFilter();
    const statement: Statement = { select, from };
    if (this.isKeyword('WHERE')) {
      this.lexer.next();
      statement.where = this.expression();
    }
    const end = this.lexer.peek();
    if (end.kind !== 'end') this.fail(end, statement.where ? 'an operator or the end of the statement' : 'WHERE or the end of the statement');
    return statement;
  }

  private topicFilter(): string {
    const token = this.lexer.topicFilter();
    if (token === undefined) throw this.lexer.error(this.lexer.here(), 'expected a topic filter after FROM, found the end of the statement');
    const problem = topicFilterProblem(token.text);
    if (problem) throw this.lexer.error(token.at, `invalid topic filter '${token.text}': ${problem}`);
    return token.text;
  }

  private selectItem(): SelectItem {
    if (this.isSymbol('*')) {
      this.lexer.next();
      return { expr: { kind: 'payload' }, name: [] };
    }
    const start = this.lexer.peek();
    const expr = this.expression();
    if (this.isKeyword('AS')) {
      this.lexer.next();
      const name = [this.name('a name after AS')];
      while (this.isSymbol('.')) {
        this.lexer.next();
        name.push(this.name('a name after .'));
      }
      return { expr, name };
    }
    let named = expr;
    while (named.kind === 'index') named = named.object;
    if (named.kind === 'field' || named.kind === 'member' || named.kind === 'call') return { expr, name: [named.name] };
    throw this.lexer.error(start.at, 'this expression needs a name: add AS <name>');
  }

  private name(expected: string): string {
    const t = this.lexer.peek();
    // Keywords are fine as output names and members (`AS end`, `state.desired`): AWS accepts them.
    if (t.kind !== 'identifier' && t.kind !== 'keyword') this.fail(t, expected);
    this.lexer.next();
    return t.kind === 'keyword' ? this.lexer.source.slice(t.at, t.at + t.text.length) : t.text;
  }

  expression(): Expr {
    return this.or();
  }

  private or(): Expr {
    return this.chain('OR', () => this.and());
  }

  private and(): Expr {
    return this.chain('AND', () => this.not());
  }

  /** `operand (op operand)*`, grouped from the left. */
  private chain(op: 'OR' | 'AND', operand: () => Expr): Expr {
    let left = operand();
    while (this.isKeyword(op)) {
      this.lexer.next();
      left = { kind: 'binary', op, left, right: operand() };
    }
    return left;
  }

  private not(): Expr {
    if (this.isKeyword('NOT')) {
      this.lexer.next();
      return { kind: 'not', operand: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.additive();
    const t = this.lexer.peek();
    const op = t.kind === 'symbol' ? comparisons[t.text] : undefined;
    if (op === undefined) return left;
    this.lexer.next();
    return { kind: 'binary', op, left, right: this.additive() };
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isSymbol('+') || this.isSymbol('-')) {
      const op = this.lexer.next().text as BinaryOp;
      left = { kind: 'binary', op, left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isSymbol('*') || this.isSymbol('/') || this.isSymbol('%')) {
      const op = this.lexer.next().text as BinaryOp;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isSymbol('-')) {
      this.lexer.next();
      const operand = this.unary();
      return operand.kind === 'literal' && typeof operand.value === 'number' ? { kind: 'literal', value: -operand.value } : { kind: 'negate', operand };
    }
    if (this.isSymbol('+')) {
      this.lexer.next();
      return this.unary();
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      if (this.isSymbol('.')) {
        this.lexer.next();
        expr = { kind: 'member', object: expr, name: this.name('a field name after .') };
      } else if (this.isSymbol('[')) {
        this.lexer.next();
        const index = this.expression();
        this.symbol(']', "']' after the index");
        expr = { kind: 'index', object: expr, index };
      } else {
        return expr;
      }
    }
  }

  private primary(): Expr {
    const t = this.lexer.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'literal', value: Number(t.text) };
      case 'string':
        return { kind: 'literal', value: t.text };
      case 'identifier':
        return this.isSymbol('(') ? this.call(t) : { kind: 'field', name: t.text };
      case 'keyword':
        if (t.text === 'TRUE' || t.text === 'FALSE') return { kind: 'literal', value: t.text === 'TRUE' };
        if (t.text === 'NULL') return { kind: 'literal', value: null };
        if (t.text === 'CASE') return this.caseExpr();
        break;
      case 'symbol':
        if (t.text === '(') {
          const inner = this.expression();
          this.symbol(')', "')'");
          return inner;
        }
        if (t.text === '{') return this.objectLiteral();
        if (t.text === '[') return { kind: 'array', items: this.list(']') };
        break;
    }
    this.fail(t, 'a value, a field, a function call or (');
  }

  private list(close: string): Expr[] {
    const items: Expr[] = [];
    if (this.isSymbol(close)) return (this.lexer.next(), items);
    for (;;) {
      items.push(this.expression());
      if (this.isSymbol(',')) {
        this.lexer.next();
        continue;
      }
      this.symbol(close, `',' or '${close}'`);
      return items;
    }
  }

  private objectLiteral(): Expr {
    const entries: { key: string; value: Expr }[] = [];
    if (this.isSymbol('}')) return (this.lexer.next(), { kind: 'object', entries });
    for (;;) {
      const key = this.lexer.next();
      if (key.kind !== 'string') this.fail(key, 'a quoted key');
      this.symbol(':', "':' after the key");
      entries.push({ key: key.text, value: this.expression() });
      if (this.isSymbol(',')) {
        this.lexer.next();
        continue;
      }
      this.symbol('}', "',' or '}'");
      return { kind: 'object', entries };
    }
  }

  private call(nameToken: Token): Expr {
    const name = nameToken.text.toLowerCase();
    this.lexer.next(); // (
    if (name === 'cast') return this.cast();
    const fn = functions[name];
    if (fn === undefined) throw this.lexer.error(nameToken.at, `unknown function ${nameToken.text}()`);
    const args: Expr[] = [];
    if (!this.isSymbol(')')) {
      for (;;) {
        if (this.isSymbol('*') && fn.takesPayload) {
          this.lexer.next();
          args.push({ kind: 'payload' });
        } else {
          args.push(this.expression());
        }
        if (!this.isSymbol(',')) break;
        this.lexer.next();
      }
    }
    this.symbol(')', "',' or ')'");
    const [min, max] = fn.arity;
    if (args.length < min || args.length > max) {
      const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw this.lexer.error(nameToken.at, `${name}() takes ${wanted} argument${wanted === '1' ? '' : 's'}, not ${args.length}`);
    }
    return { kind: 'call', name, args, at: nameToken.at };
  }

  private cast(): Expr {
    const value = this.expression();
    this.keyword('AS', "AS <type> in cast()");
    const t = this.lexer.next();
    const type = castTypes.find((c) => c.toLowerCase() === t.text.toLowerCase());
    if (t.kind !== 'identifier' || type === undefined) this.fail(t, `a type (${castTypes.join(', ')})`);
    this.symbol(')', "')'");
    return { kind: 'cast', value, type };
  }

  private caseExpr(): Expr {
    const subject = this.isKeyword('WHEN') ? undefined : this.expression();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.isKeyword('WHEN')) {
      this.lexer.next();
      const when = this.expression();
      this.keyword('THEN');
      whens.push({ when, then: this.expression() });
    }
    if (whens.length === 0) this.fail(this.lexer.peek(), 'WHEN');
    let otherwise: Expr | undefined;
    if (this.isKeyword('ELSE')) {
      this.lexer.next();
      otherwise = this.expression();
    }
    this.keyword('END', whens.length > 0 && otherwise === undefined ? 'WHEN, ELSE or END' : 'END');
    return { kind: 'case', ...(subject && { subject }), whens, ...(otherwise && { otherwise }) };
  }
}
