/**
 * What a rule's actions do with its SELECT output. Each runs on its own; a failure is an
 * ActionFailure naming the action and resource as AWS's error action message does
 * (`failedAction`, `failedResource`, `errorMessage`).
 */
import type { MessageBus } from '../bus.js';
import type { TelemetryStore } from '../telemetry/store.js';
import type { RuleAction } from './rule.js';
import type { EvalContext } from './sql/evaluate.js';
import type { SqlValue } from './sql/values.js';
import { parseTemplate, renderTemplate } from './template.js';

/** A handler registered in process: gets the SELECT output and the message it came from. */
export type RuleHandler = (output: SqlValue, message: { ruleName: string; topic: string; clientId?: string; timestamp: number }) => void | Promise<void>;

export class ActionFailure extends Error {
  constructor(
    readonly failedAction: string,
    readonly failedResource: string,
    message: string,
  ) {
    super(message);
    this.name = 'ActionFailure';
  }
}

export interface ActionServices {
  bus: MessageBus;
  telemetry?: TelemetryStore;
  handlers: ReadonlyMap<string, RuleHandler>;
  /** Where the iotEvents action sends messages: the event detectors' inputs. */
  sendToInput?: (inputName: string, message: unknown) => Promise<unknown>;
  /** Waits between HTTP retries (tests may shorten it). */
  sleep: (ms: number) => Promise<void>;
}

/** One message being acted on: the rule, its output, and what templates read. */
export interface Delivery {
  ruleName: string;
  output: SqlValue;
  context: EvalContext;
  document: SqlValue;
}

const bytesOf = (output: SqlValue): Buffer => (Buffer.isBuffer(output) ? output : Buffer.from(JSON.stringify(output ?? null)));
const render = (text: string, d: Delivery) => renderTemplate(parseTemplate(text), d.context, d.document);

export async function runAction(action: RuleAction, delivery: Delivery, services: ActionServices): Promise<void> {
  if ('republish' in action) {
    const topic = await render(action.republish.topic, delivery);
    try {
      await services.bus.publish(topic, bytesOf(delivery.output), { qos: action.republish.qos });
    } catch (error) {
      throw new ActionFailure('RepublishAction', topic, (error as Error).message);
    }
  } else if ('telemetry' in action) {
    const thingName = await render(action.telemetry.thingName, delivery);
    if (!services.telemetry) throw new ActionFailure('TelemetryAction', thingName, 'this cloud has no telemetry store');
    if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(thingName)) throw new ActionFailure('TelemetryAction', thingName, `'${thingName}' is not a thing name`);
    try {
      await services.telemetry.receive(`things/${thingName}/telemetry`, bytesOf(delivery.output), delivery.context.clientId === undefined ? undefined : { clientId: delivery.context.clientId, sessionId: '' }, delivery.context.timestamp);
    } catch (error) {
      throw new ActionFailure('TelemetryAction', thingName, (error as Error).message);
    }
  } else if ('http' in action) {
    await postWithRetries(action.http, delivery, services);
  } else if ('iotEvents' in action) {
    const { inputName } = action.iotEvents;
    if (!services.sendToInput) throw new ActionFailure('IotEventsAction', inputName, 'this cloud runs no event detectors');
    if (Buffer.isBuffer(delivery.output)) throw new ActionFailure('IotEventsAction', inputName, 'the rule\'s output is not JSON');
    try {
      await services.sendToInput(inputName, delivery.output);
    } catch (error) {
      throw new ActionFailure('IotEventsAction', inputName, (error as Error).message);
    }
  } else {
    const handler = services.handlers.get(action.handler.name);
    if (!handler) throw new ActionFailure('HandlerAction', action.handler.name, `no handler named '${action.handler.name}' is registered`);
    const { context, ruleName } = delivery;
    try {
      await handler(delivery.output, { ruleName, topic: context.topic, ...(context.clientId !== undefined && { clientId: context.clientId }), timestamp: context.timestamp });
    } catch (error) {
      throw new ActionFailure('HandlerAction', action.handler.name, error instanceof Error ? error.message : String(error));
    }
  }
}

type HttpAction = Extract<RuleAction, { http: unknown }>['http'];

/** POSTs the output; network errors, timeouts, 429 and 5xx are retried with doubling waits, other answers are final. */
async function postWithRetries(http: HttpAction, delivery: Delivery, services: ActionServices): Promise<void> {
  const url = await render(http.url, delivery);
  const headers: Record<string, string> = { 'content-type': Buffer.isBuffer(delivery.output) ? 'application/octet-stream' : 'application/json' };
  for (const { key, value } of http.headers) headers[key.toLowerCase()] = await render(value, delivery);
  const body = bytesOf(delivery.output);
  let last = '';
  let attempts = 0;
  for (let attempt = 0; attempt <= http.retries; attempt++) {
    attempts++;
    if (attempt > 0) await services.sleep(http.backoffMs * 2 ** (attempt - 1));
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(http.timeoutMs) });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) break;
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      last = cause?.message ?? (error as Error).message;
    }
  }
  throw new ActionFailure('HttpAction', url, `${last} (${attempts} attempt${attempts === 1 ? '' : 's'})`);
}
