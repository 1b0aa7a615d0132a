/**
 * Substitution templates in action parameters, as AWS IoT's: `alerts/${topic(2)}/${upper(level)}`.
 * Each `${...}` holds any SQL expression, evaluated against the incoming message (its payload
 * and context, not the SELECT's output); Undefined becomes the empty string, objects and arrays
 * their JSON. Templates are parsed when a rule is saved, so a bad one is refused with its position.
 */
import type { Expr } from './sql/ast.js';
import { evaluateExpression, type EvalContext } from './sql/evaluate.js';
import { SqlSyntaxError, positionOf } from './sql/lexer.js';
import { parseExpression } from './sql/parser.js';
import { toText, type SqlValue } from './sql/values.js';

export type Template = (string | Expr)[];

/** The end of the `${...}` whose expression starts at `from`: the `}` outside strings and braces. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && depth-- === 0) return i;
  }
  return -1;
}

/** Parses a template; throws a SqlSyntaxError placed within the whole template text. */
export function parseTemplate(text: string): Template {
  const parts: Template = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf('${', at);
    if (open < 0) break;
    if (open > at) parts.push(text.slice(at, open));
    const close = closingBrace(text, open + 2);
    if (close < 0) {
      const { line, column } = positionOf(text, open);
      throw new SqlSyntaxError(line, column, "'${' is not closed: expected '}'");
    }
    try {
      parts.push(parseExpression(text.slice(open + 2, close)));
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      // Place the error in the template: the expression's first line starts after '${'.
      const start = positionOf(text, open + 2);
      throw new SqlSyntaxError(start.line + error.line - 1, error.line === 1 ? start.column + error.column - 1 : error.column, error.reason);
    }
    at = close + 1;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

export async function renderTemplate(template: Template, context: EvalContext, document: SqlValue): Promise<string> {
  let out = '';
  for (const part of template) out += typeof part === 'string' ? part : (toText(await evaluateExpression(part, context, document)) ?? '');
  return out;
}
