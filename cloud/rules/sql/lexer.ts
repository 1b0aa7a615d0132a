/**
 * Tokens of AWS IoT SQL: keywords (any case), identifiers, numbers, strings in single or double
 * quotes, operators and punctuation. Each token keeps its offset so errors can name the line
 * and column. The parser pulls tokens one at a time; after FROM it may take a raw topic filter
 * instead (`FROM topic/#` is accepted unquoted, as AWS does).
 */

export type TokenKind = 'keyword' | 'identifier' | 'number' | 'string' | 'symbol' | 'end';

export interface Token {
  kind: TokenKind;
  /** Keywords upper-cased; strings unescaped; symbols as written. */
  text: string;
  /** Offset of the token's first character in the source. */
  at: number;
}

export const keywords = new Set(['SELECT', 'FROM', 'WHERE', 'AS', 'AND', 'OR', 'NOT', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'TRUE', 'FALSE', 'NULL']);

const symbols = ['<>', '!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', '{', '}', ',', '.', ':'];
const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', "'": "'", '"': '"', '/': '/' };

/** A syntax error at a 1-based line and column, saying what was expected. */
export class SqlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${line}:${column}: ${reason}`);
    this.name = 'SqlSyntaxError';
  }
}

/** The 1-based line and column of `offset` in `source`. */
export function positionOf(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export class Lexer {
  private offset = 0;
  private lookahead: Token | undefined;

  constructor(readonly source: string) {}

  error(at: number, reason: string): SqlSyntaxError {
    const { line, column } = positionOf(this.source, at);
    return new SqlSyntaxError(line, column, reason);
  }

  peek(): Token {
    this.lookahead ??= this.read();
    return this.lookahead;
  }

  next(): Token {
    const token = this.peek();
    this.lookahead = undefined;
    return token;
  }

  /** A topic filter: a quoted string, or the run of non-blank characters ahead (`FROM a/#`); undefined at the end. */
  topicFilter(): Token | undefined {
    this.lookahead = undefined;
    this.skipBlank();
    const c = this.source[this.offset];
    if (c === "'" || c === '"') return this.readString(c);
    const match = /^[^\s]+/.exec(this.source.slice(this.offset));
    if (!match) return undefined;
    const token: Token = { kind: 'string', text: match[0], at: this.offset };
    this.offset += match[0].length;
    return token;
  }

  /** Offset of the next character after blanks. */
  here(): number {
    this.skipBlank();
    return this.offset;
  }

  private skipBlank(): void {
    while (this.offset < this.source.length && /\s/.test(this.source[this.offset]!)) this.offset++;
  }

  private read(): Token {
    this.skipBlank();
    const at = this.offset;
    const rest = this.source.slice(at);
    if (rest === '') return { kind: 'end', text: 'end of statement', at };
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (word !== undefined) {
      this.offset += word.length;
      const upper = word.toUpperCase();
      return keywords.has(upper) ? { kind: 'keyword', text: upper, at } : { kind: 'identifier', text: word, at };
    }
    const number = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(rest)?.[0];
    if (number !== undefined) {
      this.offset += number.length;
      return { kind: 'number', text: number, at };
    }
    if (rest[0] === "'" || rest[0] === '"') return this.readString(rest[0]);
    const symbol = symbols.find((s) => rest.startsWith(s));
    if (symbol !== undefined) {
      this.offset += symbol.length;
      return { kind: 'symbol', text: symbol, at };
    }
    throw this.error(at, `unexpected character '${rest[0]}'`);
  }

  private readString(quote: string): Token {
    const at = this.offset;
    let text = '';
    let i = at + 1;
    for (;;) {
      const c = this.source[i];
      if (c === undefined) throw this.error(at, `string starting here is not closed: expected ${quote}`);
      if (c === quote) break;
      if (c === '\\') {
        const e = this.source[i + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.source.slice(i + 2, i + 6))) {
          text += String.fromCharCode(parseInt(this.source.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        if (e === undefined || !(e in escapes)) throw this.error(i, `unknown escape '\\${e ?? ''}' in string`);
        text += escapes[e];
        i += 2;
        continue;
      }
      text += c;
      i++;
    }
    this.offset = i + 1;
    return { kind: 'string', text, at };
  }
}

/** How a token reads in an error message. */
export function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the statement';
  if (token.kind === 'string') return `string '${token.text}'`;
  return `'${token.text}'`;
}
