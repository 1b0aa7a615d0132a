/**
 * ShadowMirror: the device's side of a shadow as a typed local object.
 *
 * - `reported` is the state the device keeps; `set(changes)` changes it and reports only the
 *   keys whose value changed; `remove(key)` reports `null`, deleting the key in the cloud.
 * - `desired` handlers, one per key, apply what the cloud asks for: a handler gets the desired
 *   value of its key (a nested delta merged over the reported value, so it sees the whole
 *   object) and returns the value the device now has, which is reported back; returning
 *   undefined refuses it (the delta stays). Keys without a handler are left alone.
 * - `start()` follows `/update/delta`, reads the shadow once, applies its delta and reports
 *   whatever the cloud's reported state lacks. Deltas no newer than the version already seen
 *   are ignored (they arrive out of order).
 * - Reports are sent one at a time; changes made meanwhile are merged into the next one.
 */
import type { Done } from '../mqtt/connection.js';
import type { JsonObject, JsonValue, ShadowClient, ShadowDelta, ShadowDocument } from './client.js';

/** Gets the desired value of its key, returns the value the device now has (undefined: refused). Declared as a method so a handler of a narrower type (a union of literals) still fits. */
export type DesiredHandler<V> = { handle(desired: V): V | undefined }['handle'];

/** A state type whose values are JSON (an interface needs no index signature). */
export type JsonState<S> = { [K in keyof S]: JsonValue };

export interface MirrorOptions<S extends JsonState<S>> {
  /** The device's state at start. */
  reported: S;
  desired?: { [K in keyof S]?: DesiredHandler<S[K]> };
  /** Reports and reads that failed (nobody else waits for them). */
  onError?: (error: Error) => void;
}

export class ShadowMirror<S extends JsonState<S>> {
  readonly reported: S;
  /** The shadow version of the last delta (or read) applied, -1 before any; our own reports don't move it. */
  version = -1;
  /** `reported`, seen as the JSON object it is. */
  private readonly values: JsonObject;
  private readonly handlers: { [key: string]: DesiredHandler<any> | undefined };
  private queued: { [key: string]: JsonValue } | undefined;
  private waiting: Done[] = [];
  private sending = false;
  private stopDelta: (() => void) | undefined;

  constructor(
    private readonly shadow: ShadowClient,
    private readonly options: MirrorOptions<S>,
  ) {
    this.values = copy(options.reported) as unknown as JsonObject;
    this.reported = this.values as unknown as S;
    this.handlers = (options.desired || {}) as { [key: string]: DesiredHandler<any> | undefined };
  }

  /** Sets (or replaces) the handler of `key`. */
  on<K extends keyof S & string>(key: K, handler: DesiredHandler<S[K]>): void {
    this.handlers[key] = handler;
  }

  /** Follows deltas, then syncs with the shadow; `done` once the first report is accepted. */
  start(done: Done = this.fail): void {
    this.stopDelta = this.shadow.onDelta((delta) => this.onDelta(delta), (error) => {
      if (error) return done(error);
      this.shadow.get((error, document) => {
        if (error && (error as { code?: unknown }).code !== 404) return done(error);
        this.sync(document, done);
      });
    });
  }

  stop(): void {
    if (this.stopDelta) this.stopDelta();
    this.stopDelta = undefined;
  }

  /** Changes the reported state and reports the keys whose value changed. */
  set(changes: Partial<S>, done: Done = this.fail): void {
    const changed: { [key: string]: JsonValue } = {};
    let any = false;
    for (const key of Object.keys(changes)) {
      const value = (changes as { [key: string]: JsonValue | undefined })[key];
      if (value === undefined || same(this.values[key], value)) continue;
      this.values[key] = copy(value);
      changed[key] = value;
      any = true;
    }
    if (any) this.report(changed, done);
    else done();
  }

  /** Deletes `key` from the reported state, here and in the cloud. */
  remove(key: keyof S & string, done: Done = this.fail): void {
    delete this.values[key];
    this.report({ [key]: null }, done);
  }

  private sync(document: ShadowDocument | undefined, done: Done): void {
    const cloud = (document && document.state.reported) || {};
    const missing: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(this.values)) if (!same(cloud[key], this.values[key])) missing[key] = this.values[key]!;
    if (document && document.version > this.version) {
      this.version = document.version;
      this.apply((document.state.delta || {}) as JsonObject, missing);
    }
    this.report(missing, done);
  }

  private onDelta(delta: ShadowDelta): void {
    if (typeof delta.version !== 'number' || delta.version <= this.version || !delta.state) return;
    this.version = delta.version;
    const changed: { [key: string]: JsonValue } = {};
    if (this.apply(delta.state, changed)) this.report(changed, this.fail);
  }

  /** Runs the handlers of `delta`'s keys; what they accept lands in `reported` and `into`. */
  private apply(delta: JsonObject, into: { [key: string]: JsonValue }): boolean {
    let any = false;
    for (const key of Object.keys(delta)) {
      const handler = this.handlers[key];
      if (!handler) continue;
      let accepted: JsonValue | undefined;
      try {
        accepted = handler(merge(this.values[key], delta[key]!));
      } catch (error) {
        this.fail(error as Error);
        continue;
      }
      if (accepted === undefined) continue;
      this.values[key] = copy(accepted);
      into[key] = accepted;
      any = true;
    }
    return any;
  }

  private report(changes: { [key: string]: JsonValue }, done: Done): void {
    if (!this.queued) this.queued = {};
    for (const key of Object.keys(changes)) this.queued[key] = changes[key]!;
    this.waiting.push(done);
    this.flush();
  }

  private flush(): void {
    if (this.sending || !this.queued) return;
    const reported = this.queued;
    const waiting = this.waiting;
    this.queued = undefined;
    this.waiting = [];
    if (Object.keys(reported).length === 0) {
      for (const done of waiting) done();
      return;
    }
    this.sending = true;
    this.shadow.update({ state: { reported } }, (error) => {
      this.sending = false;
      for (const done of waiting) done(error);
      this.flush();
    });
  }

  private readonly fail = (error?: Error): void => {
    if (error && this.options.onError) this.options.onError(error);
  };
}

/** Deep equality of JSON values (arrays compared whole, as the shadow service does). */
function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!same((a as JsonObject)[k], (b as JsonObject)[k])) return false;
  return true;
}

/** `delta` over `base`: nested objects merge key by key, anything else replaces. */
function merge(base: JsonValue | undefined, delta: JsonValue): JsonValue {
  if (base === null || base === undefined || typeof base !== 'object' || Array.isArray(base)) return copy(delta);
  if (delta === null || typeof delta !== 'object' || Array.isArray(delta)) return copy(delta);
  const out: JsonObject = copy(base) as JsonObject;
  for (const key of Object.keys(delta)) out[key] = merge(out[key], delta[key]!);
  return out;
}

function copy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
