/**
 * The rules engine: topic rules kept in the store, bound to the message bus. Every message whose
 * topic matches an enabled rule's FROM is evaluated; a message on a Basic Ingest topic
 * `$aws/rules/{rule}/...` goes only to that rule (its FROM is not consulted) and the rule sees
 * the topic without that prefix. When WHERE lets a message through, all the rule's actions run
 * with the SELECT output; the failures go to the rule's error action as AWS's error message
 * (`ruleName`, `topic`, `clientId`, `base64OriginalPayload`, `failures`), or to `onError`.
 *
 * Rules are created, replaced, enabled, disabled and deleted at run time; each change is written
 * to the store, then applies to the next message. This process keeps the parsed rules in memory:
 * several processes sharing one PostgreSQL each see the changes made through them, and the
 * others' after a restart.
 */
import { topicMatches, type MessageBus, type Origin } from '../bus.js';
import { alreadyExists, invalid, notFound } from '../errors.js';
import type { Database } from '../store/database.js';
import type { TelemetryStore } from '../telemetry/store.js';
import { ActionFailure, runAction, type ActionServices, type Delivery, type RuleHandler } from './actions.js';
import { ruleRows, type Rule, type RuleAction, type RulePayload } from './rule.js';
import type { Statement } from './sql/ast.js';
import { evaluate, parsePayload, type EvalContext } from './sql/evaluate.js';
import { parseSql } from './sql/parser.js';
import { parseTemplate } from './template.js';

export type { RuleHandler } from './actions.js';

export interface RulesEngineOptions {
  /** Reads shadows for get_thing_shadow(). */
  getThingShadow?: EvalContext['getThingShadow'];
  /** Where the telemetry action stores batches. */
  telemetry?: TelemetryStore;
  /** Failures nothing else reports: an error action that failed too, or a rule with no error action. */
  onError?: (error: Error) => void;
  now?: () => number;
  /** Waits between HTTP retries; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Where the iotEvents action sends its output (the event detectors' inputs). */
  sendToInput?: ActionServices['sendToInput'];
}

interface LiveRule {
  rule: Rule;
  statement: Statement;
}

const BASIC_INGEST = /^\$aws\/rules\/([^/]+)\/(.+)$/;

export class RulesEngine {
  private readonly live = new Map<string, LiveRule>();
  private readonly handlers = new Map<string, RuleHandler>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly services: ActionServices;
  private readonly now: () => number;

  private constructor(
    private readonly db: Database,
    bus: MessageBus,
    private readonly options: RulesEngineOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.services = {
      bus, handlers: this.handlers,
      ...(options.telemetry && { telemetry: options.telemetry }),
      ...(options.sendToInput && { sendToInput: options.sendToInput }),
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
  }

  /** Loads the stored rules and starts acting on the bus's messages. */
  static async start(db: Database, bus: MessageBus, options: RulesEngineOptions = {}): Promise<RulesEngine> {
    const engine = new RulesEngine(db, bus, options);
    for (const rule of await ruleRows.list(db)) engine.live.set(rule.ruleName, { rule, statement: parseSql(rule.sql) });
    // '#' does not match topics starting with '$' [MQTT-4.7.2-1]: reserved topics need their own filter.
    for (const filter of ['#', '$aws/#']) bus.subscribe(filter, (topic, payload, origin) => engine.track(engine.receive(topic, payload, origin)));
    return engine;
  }

  /** Makes `handler` the JavaScript handler that actions `{handler: {name}}` call. */
  registerHandler(name: string, handler: RuleHandler): void {
    this.handlers.set(name, handler);
  }

  list(): Rule[] {
    return [...this.live.values()].map((l) => l.rule);
  }

  get(name: string): Rule {
    const live = this.live.get(name);
    if (!live) throw notFound(`rule ${name}`);
    return live.rule;
  }

  async create(ruleName: string, payload: RulePayload): Promise<Rule> {
    const at = this.now();
    const rule = this.check({ ruleName, ...payload, createdAt: at, updatedAt: at });
    if (!(await ruleRows.write(this.db, rule, 'create'))) throw alreadyExists(`rule ${ruleName}`);
    return this.set(rule);
  }

  async replace(ruleName: string, payload: RulePayload): Promise<Rule> {
    const rule = this.check({ ruleName, ...payload, createdAt: this.get(ruleName).createdAt, updatedAt: this.now() });
    if (!(await ruleRows.write(this.db, rule, 'replace'))) throw notFound(`rule ${ruleName}`);
    return this.set(rule);
  }

  async setEnabled(ruleName: string, enabled: boolean): Promise<Rule> {
    const { ruleName: _name, createdAt: _c, updatedAt: _u, ...payload } = this.get(ruleName);
    return this.replace(ruleName, { ...payload, ruleDisabled: !enabled });
  }

  async delete(ruleName: string): Promise<void> {
    if (!(await ruleRows.delete(this.db, ruleName))) throw notFound(`rule ${ruleName}`);
    this.live.delete(ruleName);
  }

  /** Resolves once every message received so far has been acted on (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private set(rule: Rule): Rule {
    this.live.set(rule.ruleName, { rule, statement: parseSql(rule.sql) });
    return rule;
  }

  /** What the schema cannot see: a handler nobody registered, a republish onto the rule's own FROM. */
  private check(rule: Rule): Rule {
    const { from } = parseSql(rule.sql);
    for (const action of [...rule.actions, ...(rule.errorAction ? [rule.errorAction] : [])]) {
      if ('handler' in action && !this.handlers.has(action.handler.name)) throw invalid(`no handler named '${action.handler.name}' is registered`);
      if ('republish' in action) {
        const parts = parseTemplate(action.republish.topic);
        if (parts.every((p) => typeof p === 'string') && topicMatches(from, parts.join(''))) {
          throw invalid(`republishing to '${parts.join('')}' would feed the rule its own output: it matches FROM '${from}'`);
        }
      }
    }
    return rule;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: Error) => this.options.onError?.(error)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async receive(topic: string, payload: Buffer, origin: Origin | undefined): Promise<void> {
    const ingest = BASIC_INGEST.exec(topic);
    let targets: LiveRule[];
    let ruleTopic = topic;
    if (ingest) {
      const live = this.live.get(ingest[1]!);
      targets = live ? [live] : [];
      ruleTopic = ingest[2]!;
    } else {
      if (topic.startsWith('$aws/rules/')) return;
      targets = [...this.live.values()].filter((l) => topicMatches(l.statement.from, topic));
    }
    targets = targets.filter((l) => !l.rule.ruleDisabled);
    if (targets.length === 0) return;
    const context: EvalContext = {
      topic: ruleTopic, payload, timestamp: this.now(),
      ...(origin && { clientId: origin.clientId }),
      ...(origin?.principal !== undefined && { principal: origin.principal }),
      ...(this.options.getThingShadow && { getThingShadow: this.options.getThingShadow }),
    };
    const document = parsePayload(payload);
    await Promise.all(targets.map((live) => this.act(live, context, document)));
  }

  private async act({ rule, statement }: LiveRule, context: EvalContext, document: unknown): Promise<void> {
    const result = await evaluate(statement, context, document);
    if (!result.matched) return;
    const delivery: Delivery = { ruleName: rule.ruleName, output: result.output, context, document };
    const outcomes = await Promise.allSettled(rule.actions.map((action) => runAction(action, delivery, this.services)));
    const failures = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [failureOf(rule.actions[i]!, o.reason)] : []));
    if (failures.length === 0) return;
    const message = {
      ruleName: rule.ruleName, topic: context.topic, clientId: context.clientId ?? 'n/a',
      base64OriginalPayload: context.payload.toString('base64'), failures,
    };
    if (!rule.errorAction) throw new Error(`rule ${rule.ruleName}: ${failures.map((f) => `${f.failedAction} ${f.failedResource}: ${f.errorMessage}`).join('; ')}`);
    try {
      await runAction(rule.errorAction, { ...delivery, output: message }, this.services);
    } catch (error) {
      throw new Error(`rule ${rule.ruleName}: the error action failed too (${(error as Error).message}) after ${JSON.stringify(failures)}`);
    }
  }
}

function failureOf(action: RuleAction, reason: unknown): { failedAction: string; failedResource: string; errorMessage: string } {
  if (reason instanceof ActionFailure) return { failedAction: reason.failedAction, failedResource: reason.failedResource, errorMessage: reason.message };
  return { failedAction: Object.keys(action)[0]!, failedResource: '', errorMessage: reason instanceof Error ? reason.message : String(reason) };
}
