/**
 * AWS IoT fleet indexing query syntax:
 *
 *   thingName:lamp*  attributes.floor:[1 TO 3]  shadow.reported.temp:{20 TO *]  shadow.reported.x:*
 *   shadow.name.config.hasDelta:true  connectivity.connected:true  thingGroupNames:"hall lights"
 *   joined by AND, OR, NOT and parentheses (NOT binds tightest, then AND, then OR)
 *
 * A term is `field:value`: a word with `*` (any run) and `?` (one character) wildcards but not
 * leading ones, a quoted string (exact), `*` alone (the field exists), or a range with `[`/`]`
 * (inclusive) or `{`/`}` (exclusive) bounds, `*` for an open end. At most 7 terms, as AWS.
 * Errors are QuerySyntaxErrors with the 1-based column and what was expected.
 */

export const MAX_TERMS = 7;

const path = '[^.:]+(\\.[^.:]+)*';
/** The fields the index holds (index.ts). */
const searchableField = new RegExp(
  `^(thingName|thingTypeName|thingGroupNames|connectivity\\.(connected|timestamp|disconnectReason)|attributes\\.${path}` +
    `|shadow\\.((reported|desired)\\.${path}|version|hasDelta)|shadow\\.name\\.[^.:]+\\.((reported|desired)\\.${path}|version|hasDelta))$`,
);
const fieldsHelp = 'thingName, thingTypeName, thingGroupNames, attributes.<name>, shadow[.name.<shadow>].reported|desired.<path>, ' +
  'shadow[.name.<shadow>].version|hasDelta, connectivity.connected|timestamp|disconnectReason';

export type Match =
  | { kind: 'exists' }
  /** Exact text, or a pattern when `wildcard`. */
  | { kind: 'text'; text: string; wildcard: boolean }
  | { kind: 'range'; low?: string; high?: string; lowInclusive: boolean; highInclusive: boolean };

export type Query =
  | { kind: 'term'; field: string; match: Match }
  | { kind: 'and' | 'or'; left: Query; right: Query }
  | { kind: 'not'; operand: Query };

export class QuerySyntaxError extends Error {
  constructor(
    readonly column: number,
    readonly reason: string,
  ) {
    super(`1:${column}: ${reason}`);
    this.name = 'QuerySyntaxError';
  }
}

type Token =
  | { kind: 'word' | 'quoted'; text: string; at: number }
  | { kind: '(' | ')' | '[' | ']' | '{' | '}' | ':' | 'end'; text: string; at: number };

const special = new Set(['(', ')', '[', ']', '{', '}', ':']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (special.has(c)) {
      tokens.push({ kind: c as ':', text: c, at: i++ });
    } else if (c === '"') {
      const at = i;
      let text = '';
      for (i++; i < source.length && source[i] !== '"'; i++) text += source[i] === '\\' ? source[++i] ?? '' : source[i];
      if (i >= source.length) throw new QuerySyntaxError(at + 1, 'quoted value starting here is not closed: expected "');
      i++;
      tokens.push({ kind: 'quoted', text, at });
    } else {
      const at = i;
      let text = '';
      for (; i < source.length && !/\s/.test(source[i]!) && !special.has(source[i]!) && source[i] !== '"'; i++) {
        text += source[i] === '\\' && i + 1 < source.length ? source[++i] : source[i];
      }
      tokens.push({ kind: 'word', text, at });
    }
  }
  tokens.push({ kind: 'end', text: 'the end of the query', at: source.length });
  return tokens;
}

const describe = (t: Token) => (t.kind === 'end' ? t.text : `'${t.text}'`);
const isOperator = (t: Token, word: string) => t.kind === 'word' && t.text === word;

export function parseQuery(source: string): Query {
  const tokens = tokenize(source);
  let next = 0;
  let terms = 0;
  const peek = () => tokens[next]!;
  const take = () => tokens[next++]!;
  const fail = (t: Token, expected: string): never => {
    throw new QuerySyntaxError(t.at + 1, `expected ${expected}, found ${describe(t)}`);
  };

  /** `operand (OP operand)*`, grouped from the left. */
  function chain(op: 'AND' | 'OR', operand: () => Query): Query {
    let left = operand();
    while (isOperator(peek(), op)) {
      take();
      left = { kind: op === 'AND' ? 'and' : 'or', left, right: operand() };
    }
    return left;
  }
  const or = (): Query => chain('OR', and);
  function and(): Query {
    return chain('AND', not);
  }
  function not(): Query {
    if (isOperator(peek(), 'NOT')) {
      take();
      return { kind: 'not', operand: not() };
    }
    return primary();
  }
  function primary(): Query {
    const t = take();
    if (t.kind === '(') {
      const inner = or();
      if (peek().kind !== ')') fail(peek(), "AND, OR or ')'");
      take();
      return inner;
    }
    if (t.kind !== 'word' || ['AND', 'OR', 'NOT'].includes(t.text)) fail(t, 'a term field:value, NOT or (');
    if (peek().kind !== ':') fail(peek(), `':' and a value after the field ${t.text}`);
    if (!searchableField.test(t.text)) throw new QuerySyntaxError(t.at + 1, `'${t.text}' is not a searchable field: ${fieldsHelp}`);
    take();
    if (++terms > MAX_TERMS) throw new QuerySyntaxError(t.at + 1, `a query has at most ${MAX_TERMS} terms`);
    return { kind: 'term', field: t.text, match: value() };
  }
  function value(): Match {
    const t = take();
    if (t.kind === 'quoted') return { kind: 'text', text: t.text, wildcard: false };
    if (t.kind === '[' || t.kind === '{') return range(t);
    if (t.kind !== 'word') return fail(t, 'a value, a quoted value, * or a range [a TO b]');
    if (t.text === '*') return { kind: 'exists' };
    if (t.text.startsWith('*') || t.text.startsWith('?')) throw new QuerySyntaxError(t.at + 1, `a value cannot start with a wildcard: '${t.text}'`);
    return { kind: 'text', text: t.text, wildcard: /[*?]/.test(t.text) };
  }
  function bound(): string | undefined {
    const t = take();
    if (t.kind !== 'word' && t.kind !== 'quoted') return fail(t, 'a range bound (a value or *)');
    return t.kind === 'word' && t.text === '*' ? undefined : t.text;
  }
  function range(open: Token): Match {
    const low = bound();
    if (!isOperator(peek(), 'TO')) fail(peek(), 'TO');
    take();
    const high = bound();
    const close = take();
    if (close.kind !== ']' && close.kind !== '}') fail(close, "']' or '}' to close the range");
    return { kind: 'range', ...(low !== undefined && { low }), ...(high !== undefined && { high }), lowInclusive: open.kind === '[', highInclusive: close.kind === ']' };
  }

  if (peek().kind === 'end') fail(peek(), 'a query');
  const query = or();
  if (peek().kind !== 'end') fail(peek(), 'AND, OR or the end of the query');
  return query;
}
