/**
 * A topic rule as AWS's CreateTopicRule takes it — name, SQL, actions, an error action, whether
 * it is disabled — as zod schemas (the HTTP API validates with them and documents them), and
 * its rows in the `topic_rules` table. The SQL and every substitution template are parsed by
 * the schema, so a malformed rule is refused with the line and column of the problem.
 */
import { z } from 'zod';
import type { Queryable } from '../store/database.js';
import { SqlSyntaxError } from './sql/lexer.js';
import { parseSql } from './sql/parser.js';
import { parseTemplate } from './template.js';

export const ruleName = z.string().min(1).max(128).regex(/^[a-zA-Z0-9_]+$/, 'a rule name holds only letters, digits and _ (at most 128)');

/** Adds a zod issue for a SqlSyntaxError thrown by `parse`. */
const parsed = (parse: (text: string) => unknown) => (text: string, context: z.RefinementCtx) => {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    context.addIssue({ code: 'custom', message: error.message, params: { line: error.line, column: error.column } });
  }
};

const template = (description: string) => z.string().min(1).max(2048).superRefine(parsed(parseTemplate)).describe(`${description}; a substitution template: \${expression} parts are evaluated against the incoming message`);

export const republishAction = z.strictObject({
  topic: template('the topic to publish the SELECT output on').refine((t) => !/[+#]/.test(t.replace(/\$\{[^}]*\}/g, '')), 'a topic cannot hold + or #'),
  qos: z.union([z.literal(0), z.literal(1)]).default(0),
});
export const telemetryAction = z.strictObject({
  thingName: template('the thing whose telemetry the output is (default: the second topic level, as in things/{thing}/telemetry)').default('${topic(2)}'),
});
export const httpAction = z.strictObject({
  url: template('where the SELECT output is POSTed as JSON').refine((u) => /^https?:\/\//.test(u), 'the url must start with http:// or https://'),
  headers: z.array(z.strictObject({ key: z.string().min(1).max(256), value: template('a header value') })).max(100).default([]),
  /** Attempts after the first, on a network error, a timeout, 429 or 5xx. */
  retries: z.number().int().min(0).max(10).default(3).describe('attempts after the first, on a network error, a timeout, 429 or 5xx'),
  backoffMs: z.number().int().min(1).max(60_000).default(500).describe('wait before the first retry; doubled before each next one'),
  timeoutMs: z.number().int().min(1).max(60_000).default(10_000).describe('longest wait for one answer'),
});
export const handlerAction = z.strictObject({
  name: z.string().min(1).max(128).describe('a JavaScript handler registered in the cloud process (RulesEngine.registerHandler)'),
});

export const iotEventsAction = z.strictObject({
  inputName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an input name starts with a letter or _ and holds letters, digits and _').describe('the detector input (cloud/events) the SELECT output is sent to, as a message'),
});

/** One action: exactly one of its kinds, as AWS's Action object. */
export const ruleAction = z.union([
  z.strictObject({ republish: republishAction }),
  z.strictObject({ telemetry: telemetryAction }),
  z.strictObject({ http: httpAction }),
  z.strictObject({ handler: handlerAction }),
  z.strictObject({ iotEvents: iotEventsAction }),
]);
export type RuleAction = z.output<typeof ruleAction>;

/** What CreateTopicRule and ReplaceTopicRule take (without the name, which is in the path). */
export const rulePayload = z.strictObject({
  sql: z.string().min(1).max(256 * 1024).superRefine(parsed(parseSql)).describe('AWS IoT SQL (2016-03-23): SELECT ... FROM \'topic/filter\' [WHERE ...]'),
  awsIotSqlVersion: z.literal('2016-03-23').optional().describe('the only version mote implements'),
  description: z.string().max(1024).optional(),
  actions: z.array(ruleAction).min(1).max(10),
  errorAction: ruleAction.optional().describe('runs with AWS\'s error message when an action fails'),
  ruleDisabled: z.boolean().default(false),
});
export type RulePayload = z.output<typeof rulePayload>;

export interface Rule extends RulePayload {
  ruleName: string;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  name: string;
  sql: string;
  description: string | null;
  actions: string;
  error_action: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

const fromRow = (row: Row): Rule => ({
  ruleName: row.name,
  sql: row.sql,
  ...(row.description !== null && { description: row.description }),
  actions: JSON.parse(row.actions) as RuleAction[],
  ...(row.error_action !== null && { errorAction: JSON.parse(row.error_action) as RuleAction }),
  ruleDisabled: row.enabled === 0,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The `topic_rules` table. */
export const ruleRows = {
  async list(db: Queryable): Promise<Rule[]> {
    return (await db.all<Row>('SELECT * FROM topic_rules ORDER BY name')).map(fromRow);
  },
  async get(db: Queryable, name: string): Promise<Rule | undefined> {
    const row = await db.get<Row>('SELECT * FROM topic_rules WHERE name = ?', [name]);
    return row && fromRow(row);
  },
  /** Creates (false if the name is taken) or replaces (false if there is no such rule). */
  async write(db: Queryable, rule: Rule, mode: 'create' | 'replace'): Promise<boolean> {
    const values = [rule.sql, rule.description ?? null, JSON.stringify(rule.actions), rule.errorAction ? JSON.stringify(rule.errorAction) : null, rule.ruleDisabled ? 0 : 1, rule.updatedAt];
    if (mode === 'replace') {
      const { changes } = await db.run('UPDATE topic_rules SET sql = ?, description = ?, actions = ?, error_action = ?, enabled = ?, updated_at = ? WHERE name = ?', [...values, rule.ruleName]);
      return changes === 1;
    }
    const { changes } = await db.run(
      'INSERT INTO topic_rules (sql, description, actions, error_action, enabled, updated_at, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
      [...values, rule.ruleName, rule.createdAt],
    );
    return changes === 1;
  },
  async delete(db: Queryable, name: string): Promise<boolean> {
    return (await db.run('DELETE FROM topic_rules WHERE name = ?', [name])).changes === 1;
  },
};
