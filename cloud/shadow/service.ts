/**
 * The Device Shadow service over the store: get, update and delete of classic and named
 * shadows, answering with the exact payloads AWS IoT publishes. Transport-free: the MQTT
 * binding (topics.ts) and the HTTP API both call it and deliver what it returns.
 *
 * Writes are optimistic: an update names the version it read, and a concurrent writer makes it
 * read again, so two processes sharing one PostgreSQL never lose an update. A deleted shadow
 * keeps its row (document NULL) so the next update continues its version counter.
 */
import type { Database } from '../store/database.js';
import {
  applyUpdate, clientTokenOf, delta, MAX_STATE_BYTES, parsePayload, requestMetadata, stateBytes, validateUpdate,
  type JsonObject, type ShadowDocument,
} from './document.js';
import { ShadowError, shadowErrors } from './errors.js';

/** Which shadow: the classic one of a thing (no shadowName) or a named one. */
export interface ShadowId {
  thingName: string;
  shadowName?: string;
}

/** What a request produced: the messages to publish, by topic suffix after the shadow prefix. */
export type ShadowOutcome =
  | { accepted: true; operation: 'get' | 'update' | 'delete'; messages: { suffix: string; payload: object }[]; response: object }
  | { accepted: false; operation: 'get' | 'update' | 'delete'; messages: { suffix: string; payload: object }[]; error: ShadowError; response: object };

export interface ShadowServiceOptions {
  /** Resolves whether a thing is registered; unregistered things get 404 "Thing not found". Default: every thing exists. */
  thingExists?: (thingName: string) => Promise<boolean>;
  /** Clock in epoch ms (tests pass a fixed one). */
  now?: () => number;
  /** Called after each accepted update or delete (the cloud's bus hook for later services). */
  onChange?: (id: ShadowId, change: { operation: 'update' | 'delete'; document: object }) => void;
}

interface Row {
  document: string | null;
  version: number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export class ShadowService {
  private readonly now: () => number;
  constructor(
    private readonly db: Database,
    private readonly options: ShadowServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  get(id: ShadowId, payload: Uint8Array | string = ''): Promise<ShadowOutcome> {
    return this.run('get', payload, async (request, timestamp, clientToken) => {
      const row = await this.read(id);
      if (row?.document == null) throw shadowErrors.noShadow(id.thingName, id.shadowName);
      const document = JSON.parse(row.document) as ShadowDocument;
      const difference = delta(document);
      const state = { ...document.state, ...(difference && { delta: difference.state }) };
      const response = { state, metadata: document.metadata, version: row.version, timestamp, ...(clientToken !== undefined && { clientToken }) };
      return { messages: [{ suffix: 'get/accepted', payload: response }], response };
    });
  }

  delete(id: ShadowId, payload: Uint8Array | string = ''): Promise<ShadowOutcome> {
    return this.run('delete', payload, async (_request, timestamp, clientToken) => {
      const row = await this.read(id);
      if (row?.document == null) throw shadowErrors.noShadow(id.thingName, id.shadowName);
      const { changes } = await this.db.run('UPDATE shadows SET document = NULL, updated_at = ? WHERE thing_name = ? AND shadow_name = ? AND version = ?', [this.now(), id.thingName, id.shadowName ?? '', row.version]);
      if (changes === 0) throw shadowErrors.versionConflict();
      const response = { version: row.version, timestamp, ...(clientToken !== undefined && { clientToken }) };
      this.options.onChange?.(id, { operation: 'delete', document: response });
      return { messages: [{ suffix: 'delete/accepted', payload: response }], response };
    });
  }

  update(id: ShadowId, payload: Uint8Array | string): Promise<ShadowOutcome> {
    return this.run('update', payload, async (request, timestamp, clientToken) => {
      const update = validateUpdate(request);
      for (;;) {
        const row = await this.read(id);
        const storedVersion = row?.version ?? 0;
        if (update.version !== undefined && update.version !== storedVersion) throw shadowErrors.versionConflict();
        const previous: ShadowDocument | undefined = row?.document != null ? (JSON.parse(row.document) as ShadowDocument) : undefined;
        const current = applyUpdate(previous ?? { state: {}, metadata: {} }, update, timestamp);
        if (stateBytes(current.state) > MAX_STATE_BYTES) throw shadowErrors.payloadTooLarge();
        const version = storedVersion + 1;
        if (!(await this.write(id, row, current, version))) {
          if (update.version !== undefined) throw shadowErrors.versionConflict();
          continue; // someone else wrote first: apply the update to what they wrote
        }
        return this.updated(id, update.state, previous, current, version, timestamp, clientToken);
      }
    });
  }

  private updated(id: ShadowId, sent: object, previous: ShadowDocument | undefined, current: ShadowDocument, version: number, timestamp: number, clientToken: string | undefined) {
    const token = clientToken !== undefined ? { clientToken } : {};
    const accepted = { state: sent, metadata: requestMetadata({ state: sent as never }, timestamp), version, timestamp, ...token };
    const messages: { suffix: string; payload: object }[] = [{ suffix: 'update/accepted', payload: accepted }];
    const difference = delta(current);
    if (difference && 'desired' in sent && (sent as { desired: unknown }).desired !== null) {
      messages.push({ suffix: 'update/delta', payload: { version, timestamp, state: difference.state, metadata: difference.metadata, ...token } });
    }
    const documents = {
      previous: previous === undefined ? null : { state: previous.state, metadata: previous.metadata, version: version - 1 },
      current: { state: current.state, metadata: current.metadata, version },
      timestamp,
      ...token,
    };
    messages.push({ suffix: 'update/documents', payload: documents });
    this.options.onChange?.(id, { operation: 'update', document: documents });
    return { messages, response: accepted };
  }

  /** Shared frame: parse, check the thing, run, and turn refusals into `.../rejected` messages. */
  private async run(
    operation: 'get' | 'update' | 'delete',
    payload: Uint8Array | string,
    work: (request: JsonObject, timestamp: number, clientToken: string | undefined) => Promise<{ messages: { suffix: string; payload: object }[]; response: object }>,
  ): Promise<ShadowOutcome> {
    const timestamp = seconds(this.now());
    let clientToken: string | undefined;
    try {
      const request = parsePayload(payload);
      clientToken = clientTokenOf(request);
      return { accepted: true, operation, ...(await work(request, timestamp, clientToken)) };
    } catch (caught) {
      const error = caught instanceof ShadowError ? caught : shadowErrors.internal();
      const response = { code: error.code, message: error.message, timestamp, ...(clientToken !== undefined && { clientToken }) };
      return { accepted: false, operation, error, response, messages: [{ suffix: `${operation}/rejected`, payload: response }] };
    }
  }

  private async read(id: ShadowId): Promise<Row | undefined> {
    if (this.options.thingExists && !(await this.options.thingExists(id.thingName))) throw shadowErrors.thingNotFound();
    return this.db.get<Row>('SELECT document, version FROM shadows WHERE thing_name = ? AND shadow_name = ?', [id.thingName, id.shadowName ?? '']);
  }

  /** Writes version `version` if the row is still as read; false if another writer got there first. */
  private async write(id: ShadowId, read: Row | undefined, document: ShadowDocument, version: number): Promise<boolean> {
    const text = JSON.stringify(document);
    const key = [id.thingName, id.shadowName ?? ''];
    if (read === undefined) {
      const { changes } = await this.db.run('INSERT INTO shadows (thing_name, shadow_name, document, version, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (thing_name, shadow_name) DO NOTHING', [...key, text, version, this.now()]);
      return changes === 1;
    }
    const { changes } = await this.db.run('UPDATE shadows SET document = ?, version = ?, updated_at = ? WHERE thing_name = ? AND shadow_name = ? AND version = ?', [text, version, this.now(), ...key, read.version]);
    return changes === 1;
  }

  /** Names of a thing's named shadows that exist (AWS's ListNamedShadowsForThing). */
  async listNamed(thingName: string): Promise<string[]> {
    const rows = await this.db.all<{ shadow_name: string }>("SELECT shadow_name FROM shadows WHERE thing_name = ? AND shadow_name <> '' AND document IS NOT NULL ORDER BY shadow_name", [thingName]);
    return rows.map((r) => r.shadow_name);
  }
}
