/**
 * Request/response over MQTT the way AWS IoT's reserved-topic APIs work (shadow, jobs, fleet
 * provisioning): publish on `T`, the answer arrives on `T/accepted` or `T/rejected`. Shared by
 * those clients so each of them is only its topics and documents.
 *
 * - The answer topics are subscribed (QoS 1) before the first request on `T` is published, so
 *   no answer can be missed; they stay subscribed (`keep`, default) or are released once no
 *   request on `T` is waiting (per-job topics, one-shot provisioning calls).
 * - Correlation: by `clientToken` (each request gets a fresh one, at most 64 bytes), or in
 *   order when the protocol has none (`tokenField: null`, fleet provisioning).
 * - A `/rejected` answer becomes a ServiceError carrying the service's `code`.
 * - No timers: the caller gives up with the returned cancel function; the blocking form
 *   (`awaitRequest`) does that when its ticks run out. At most `maxInFlight` requests wait at
 *   once (AWS IoT answers 429 beyond 10 per connection); more fail at once.
 */
import { rangeError } from '../firmware/kernel/errors.js';
import type { Kernel } from '../firmware/kernel/kernel.js';
import type { Op } from '../firmware/kernel/task.js';
import { utf8Decode } from './bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from './cbor/index.js';
import type { Done, Message, MessageHandler, MqttConnection, Payload } from './mqtt/connection.js';
import { awaitDone, type Outcome } from './wait.js';

/** An error a service answered with: `code` is its code (409, 'VersionMismatch', ...), `response` the whole answer. */
export interface ServiceError extends Error {
  code: number | string;
  response?: unknown;
}

export function serviceError(message: string, code: number | string, response?: unknown): ServiceError {
  const error = new Error(message) as ServiceError;
  error.code = code;
  error.response = response;
  return error;
}

/** How documents travel: JSON text by default; CBOR where the API offers it. */
export interface PayloadFormat {
  encode(value: unknown): Payload;
  decode(bytes: Uint8Array): unknown;
}

export const jsonFormat: PayloadFormat = {
  encode: (value) => JSON.stringify(value),
  decode: (bytes) => JSON.parse(utf8Decode(bytes)),
};

/** CBOR (sdk/cbor): smaller on the wire, byte strings without base64. */
export const cborFormat: PayloadFormat = {
  encode: (value) => encodeCbor(value as CborValue),
  decode: (bytes) => decodeCbor(bytes),
};

/** AWS IoT's rule for thing names (1-128), shadow names (1-64), job ids (1-64): letters, digits, ':', '_', '-'. */
export function checkName(what: string, name: string, max: number): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > max || !/^[a-zA-Z0-9:_-]+$/.test(name)) {
    throw rangeError(`${what} must be 1-${max} letters, digits, ':', '_' or '-': ${JSON.stringify(name)}`);
  }
  return name;
}

export type Cancel = () => void;
export type Answer<T> = (error?: Error, response?: T) => void;

export interface RequestsOptions {
  /** Turns a `/rejected` document into the error the caller gets. */
  rejected: (document: any) => ServiceError;
  /** The request field that correlates answers; null: answers come back in order. Default 'clientToken'. */
  tokenField?: string | null;
  format?: PayloadFormat;
  /** Default 10, AWS IoT's limit per connection. */
  maxInFlight?: number;
}

interface Pending {
  topic: string;
  token: string | undefined;
  done: Answer<any>;
  keep: boolean;
  published: boolean;
  body: Payload;
}

interface Route {
  ready: boolean;
  handlers: MessageHandler[];
}

const ANSWERS = ['accepted', 'rejected'];

let instances = 0;

export class Requests {
  private readonly pending: Pending[] = [];
  private readonly routes: { [topic: string]: Route } = {};
  private readonly tokenField: string | null;
  private readonly format: PayloadFormat;
  private readonly maxInFlight: number;
  private readonly tokenPrefix: string;
  private counter = 0;

  constructor(
    private readonly connection: MqttConnection,
    private readonly options: RequestsOptions,
  ) {
    this.tokenField = options.tokenField === undefined ? 'clientToken' : options.tokenField;
    this.format = options.format || jsonFormat;
    this.maxInFlight = options.maxInFlight || 10;
    // Unique across clients on one device and across restarts (a stale answer must not match).
    this.tokenPrefix = Math.floor(Math.random() * 0x7fffffff).toString(36) + (instances++).toString(36);
  }

  /** A fresh client token: `<random><instance>-<counter>`, well under AWS's 64 bytes. */
  nextToken(): string {
    return this.tokenPrefix + '-' + (this.counter++).toString(36);
  }

  /**
   * Publishes `body` on `topic` (the token added when there is a token field) and calls `done`
   * with the accepted document, or with a ServiceError from the rejected one, or with the
   * transport's error. Returns a function that forgets the request (`done` is then never called).
   */
  send<T>(topic: string, body: { [key: string]: unknown }, done: Answer<T>, keep = true): Cancel {
    if (this.pending.length >= this.maxInFlight) {
      later(() => done(serviceError(`too many requests in flight (at most ${this.maxInFlight})`, 429)));
      return () => undefined;
    }
    let token: string | undefined;
    if (this.tokenField) {
      token = typeof body[this.tokenField] === 'string' ? (body[this.tokenField] as string) : this.nextToken();
      body[this.tokenField] = token;
    }
    const entry: Pending = { topic, token, done, keep, published: false, body: this.format.encode(body) };
    this.pending.push(entry);
    const route = this.routes[topic] || this.subscribe(topic);
    if (route.ready) this.publish(entry);
    return () => this.finish(entry);
  }

  /** Unsubscribes every answer topic and forgets every waiting request. */
  close(): void {
    this.pending.length = 0;
    for (const topic of Object.keys(this.routes)) this.release(topic);
  }

  private subscribe(topic: string): Route {
    const route: Route = { ready: false, handlers: [] };
    this.routes[topic] = route;
    let waiting = ANSWERS.length;
    for (let i = 0; i < ANSWERS.length; i++) {
      const accepted = ANSWERS[i] === 'accepted';
      const handler = (message: Message) => this.answer(topic, accepted, message);
      route.handlers.push(handler);
      this.connection.subscribe(`${topic}/${ANSWERS[i]}`, handler, { qos: 1 }, (error) => {
        if (this.routes[topic] !== route) return;
        if (error) {
          this.failTopic(topic, error);
          this.release(topic);
        } else if (--waiting === 0) {
          route.ready = true;
          for (const entry of this.pending.slice()) if (entry.topic === topic && !entry.published) this.publish(entry);
        }
      });
    }
    return route;
  }

  private release(topic: string): void {
    const route = this.routes[topic];
    if (!route) return;
    delete this.routes[topic];
    // Errors ignored: a subscription the broker refused is not there to remove.
    for (let i = 0; i < ANSWERS.length; i++) this.connection.unsubscribe(`${topic}/${ANSWERS[i]}`, route.handlers[i], ignore);
  }

  private publish(entry: Pending): void {
    entry.published = true;
    this.connection.publish(entry.topic, entry.body, { qos: 1 }, (error) => {
      if (error && this.pending.indexOf(entry) >= 0) {
        this.finish(entry);
        entry.done(error);
      }
    });
  }

  private answer(topic: string, accepted: boolean, message: Message): void {
    let document: any;
    try {
      document = this.format.decode(message.payload);
    } catch (_) {
      document = undefined;
    }
    let entry: Pending | undefined;
    for (const p of this.pending) {
      if (p.topic !== topic || !p.published) continue;
      if (this.tokenField && (!document || document[this.tokenField] !== p.token)) continue;
      entry = p;
      break;
    }
    if (!entry) return; // someone else's answer on a shared topic, or one we gave up on
    // The answer topics are released only after `done`: a caller sending its next request on the
    // same topic from `done` (a job's next update) reuses them, rather than unsubscribing and
    // subscribing again in one breath, which a broker handling both at once may reorder.
    this.finish(entry, false);
    if (document === undefined || document === null || typeof document !== 'object') entry.done(new Error(`malformed answer on ${message.topic}`));
    else if (accepted) entry.done(undefined, document);
    else entry.done(this.options.rejected(document));
    this.releaseIfIdle(entry);
  }

  private finish(entry: Pending, release = true): void {
    const at = this.pending.indexOf(entry);
    if (at < 0) return;
    this.pending.splice(at, 1);
    if (release) this.releaseIfIdle(entry);
  }

  /** Unsubscribes a per-request topic once no request on it is waiting. */
  private releaseIfIdle(entry: Pending): void {
    if (entry.keep) return;
    for (const p of this.pending) if (p.topic === entry.topic) return;
    this.release(entry.topic);
  }

  private failTopic(topic: string, error: Error): void {
    for (const entry of this.pending.slice()) {
      if (entry.topic !== topic) continue;
      this.pending.splice(this.pending.indexOf(entry), 1);
      entry.done(error);
    }
  }
}

/**
 * Calls `handler` with each decoded document published on `topic` (a service's pushes: shadow
 * deltas, job notifications); messages that are not a document are skipped. Returns the
 * function that stops it.
 */
export function followDocuments<T>(connection: MqttConnection, topic: string, handler: (document: T) => void, done?: Done, format: PayloadFormat = jsonFormat): () => void {
  const onMessage = (message: Message) => {
    let document: unknown;
    try {
      document = format.decode(message.payload);
    } catch (_) {
      return;
    }
    if (document !== null && typeof document === 'object') handler(document as T);
  };
  connection.subscribe(topic, onMessage, { qos: 1 }, done);
  return () => connection.unsubscribe(topic, onMessage);
}

function ignore(): void {}

function later(fn: () => void): void {
  void Promise.resolve().then(fn);
}

/**
 * The blocking form of a request: starts it, blocks the task until the answer or `ticksToWait`;
 * on timeout the request is cancelled, so a late answer is dropped rather than kept forever.
 */
export function* awaitRequest<T>(kernel: Kernel, start: (done: Answer<T>) => Cancel, ticksToWait: number): Op<Outcome<T>> {
  let cancel: Cancel | undefined;
  const outcome = yield* awaitDone<T>(kernel, (done) => {
    cancel = start(done);
  }, ticksToWait);
  if (!outcome.ok && cancel) cancel();
  return outcome;
}
