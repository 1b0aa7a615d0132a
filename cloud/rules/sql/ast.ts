/** The parsed form of an AWS IoT SQL statement. `at` is a source offset, for errors. */

export type BinaryOp = 'OR' | 'AND' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';
export type CastType = 'Int' | 'Decimal' | 'Boolean' | 'String';

export type Expr =
  | { kind: 'literal'; value: unknown }
  /** A top-level payload field. */
  | { kind: 'field'; name: string }
  | { kind: 'member'; object: Expr; name: string }
  | { kind: 'index'; object: Expr; index: Expr }
  /** `*`: the whole payload (in SELECT, or as a function argument such as encode(*, 'base64')). */
  | { kind: 'payload' }
  | { kind: 'call'; name: string; args: Expr[]; at: number }
  | { kind: 'cast'; value: Expr; type: CastType }
  | { kind: 'not'; operand: Expr }
  | { kind: 'negate'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  /** `CASE v WHEN t THEN r ... ELSE e END`, or without `v`: `CASE WHEN condition THEN r ...`. */
  | { kind: 'case'; subject?: Expr; whens: { when: Expr; then: Expr }[]; otherwise?: Expr }
  | { kind: 'object'; entries: { key: string; value: Expr }[] }
  | { kind: 'array'; items: Expr[] };

export interface SelectItem {
  expr: Expr;
  /** Output key path: `AS a.b` nests; without AS, the field's last name or the function's name. Empty for `*`. */
  name: string[];
}

export interface Statement {
  select: SelectItem[];
  /** The topic filter, as written (quoted or not). */
  from: string;
  where?: Expr;
}
