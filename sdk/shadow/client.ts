/**
 * ShadowClient: one AWS IoT Device Shadow (a thing's classic shadow, or a named one) over MQTT.
 *
 * Topics: the classic shadow lives under `$aws/things/{thing}/shadow`, a named one under
 * `$aws/things/{thing}/shadow/name/{shadow}`; `get`, `update` and `delete` are published there
 * and answered on `/accepted` or `/rejected`, correlated by clientToken (../request.ts). Every
 * accepted update also fans out on `/update/delta` (when desired differs from reported) and
 * `/update/documents`, which `onDelta` and `onDocuments` follow.
 *
 * Each call returns at once; `done(error, document)` runs in host context. A refusal is a
 * ServiceError with AWS's `code` (400, 404 'No shadow exists with name', 409 'Version conflict',
 * 413, 429, ...) and message. Tasks use the blocking forms (`getBlocking` ...), which take the
 * kernel and end with `ticksToWait`.
 */
import type { Kernel } from '../../firmware/kernel/kernel.js';
import type { Op } from '../../firmware/kernel/task.js';
import type { Done, MqttConnection } from '../mqtt/connection.js';
import { awaitRequest, checkName, followDocuments, Requests, serviceError, type Answer, type Cancel } from '../request.js';
import type { Outcome } from '../wait.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Per-leaf timestamps (epoch seconds) mirroring a state section. */
export type Metadata = { [key: string]: unknown };

export interface ShadowState {
  desired?: JsonObject;
  reported?: JsonObject;
  /** Desired keys missing from or different in reported (get only). */
  delta?: JsonObject;
}

/** What `get` answers with. */
export interface ShadowDocument {
  state: ShadowState;
  metadata: { desired?: Metadata; reported?: Metadata };
  version: number;
  timestamp: number;
  clientToken?: string;
}

/** An update: `null` for a key (or a whole section) deletes it; with `version`, applied only at that version (else 409). */
export interface ShadowUpdate {
  state: { desired?: JsonObject | null; reported?: JsonObject | null };
  version?: number;
}

/** What `update` answers with: the state as sent, its metadata, the new version. */
export interface UpdateAccepted {
  state: { desired?: JsonObject | null; reported?: JsonObject | null };
  metadata: { desired?: Metadata; reported?: Metadata };
  version: number;
  timestamp: number;
  clientToken?: string;
}

export interface DeleteAccepted {
  version: number;
  timestamp: number;
  clientToken?: string;
}

/** `/update/delta`: the desired keys reported does not match yet, nested paths kept. */
export interface ShadowDelta {
  state: JsonObject;
  metadata: Metadata;
  version: number;
  timestamp: number;
  clientToken?: string;
}

/** `/update/documents`: the whole shadow before and after an update. */
export interface ShadowDocuments {
  previous: { state: ShadowState; metadata: Metadata; version: number } | null;
  current: { state: ShadowState; metadata: Metadata; version: number };
  timestamp: number;
  clientToken?: string;
}

export interface ShadowClientOptions {
  thingName: string;
  /** Omit for the classic shadow. */
  shadowName?: string;
}

/** `$aws/things/{thing}/shadow` or `$aws/things/{thing}/shadow/name/{shadow}`. */
export function shadowTopic(thingName: string, shadowName?: string): string {
  const thing = checkName('thing name', thingName, 128);
  return shadowName === undefined ? `$aws/things/${thing}/shadow` : `$aws/things/${thing}/shadow/name/${checkName('shadow name', shadowName, 64)}`;
}

/** `{code, message}` from `/rejected` as an error carrying AWS's code. */
function rejected(document: { code?: number; message?: string }) {
  return serviceError(typeof document.message === 'string' ? document.message : 'rejected', typeof document.code === 'number' ? document.code : 500, document);
}

export class ShadowClient {
  /** The shadow's topic prefix. */
  readonly topic: string;
  private readonly requests: Requests;

  constructor(
    private readonly connection: MqttConnection,
    options: ShadowClientOptions,
  ) {
    this.topic = shadowTopic(options.thingName, options.shadowName);
    this.requests = new Requests(connection, { rejected });
  }

  /** The whole shadow: desired, reported, delta, metadata, version. 404 if there is none. */
  get(done: Answer<ShadowDocument>): Cancel {
    return this.requests.send(`${this.topic}/get`, {}, done);
  }

  /** Applies `update` (merge; null deletes). */
  update(update: ShadowUpdate, done: Answer<UpdateAccepted> = ignore): Cancel {
    const body: { [key: string]: unknown } = { state: update.state };
    if (update.version !== undefined) body.version = update.version;
    return this.requests.send(`${this.topic}/update`, body, done);
  }

  /** Deletes the shadow (its version counter carries on with the next update). 404 if there is none. */
  delete(done: Answer<DeleteAccepted> = ignore): Cancel {
    return this.requests.send(`${this.topic}/delete`, {}, done);
  }

  /** Calls `handler` with every delta; returns the function that stops it. */
  onDelta(handler: (delta: ShadowDelta) => void, done?: Done): () => void {
    return followDocuments(this.connection, `${this.topic}/update/delta`, handler, done);
  }

  /** Calls `handler` with the before and after of every accepted update; returns the function that stops it. */
  onDocuments(handler: (documents: ShadowDocuments) => void, done?: Done): () => void {
    return followDocuments(this.connection, `${this.topic}/update/documents`, handler, done);
  }

  *getBlocking(kernel: Kernel, ticksToWait: number): Op<Outcome<ShadowDocument>> {
    return yield* awaitRequest<ShadowDocument>(kernel, (done) => this.get(done), ticksToWait);
  }

  *updateBlocking(kernel: Kernel, update: ShadowUpdate, ticksToWait: number): Op<Outcome<UpdateAccepted>> {
    return yield* awaitRequest<UpdateAccepted>(kernel, (done) => this.update(update, done), ticksToWait);
  }

  *deleteBlocking(kernel: Kernel, ticksToWait: number): Op<Outcome<DeleteAccepted>> {
    return yield* awaitRequest<DeleteAccepted>(kernel, (done) => this.delete(done), ticksToWait);
  }

  /** Unsubscribes everything this client subscribed; waiting requests are forgotten. */
  close(): void {
    this.requests.close();
  }

}

function ignore(): void {}
