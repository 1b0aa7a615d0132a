/**
 * The dashboard's live feed: a WebSocket at `/dashboard/live` pushing what changes in the fleet
 * as JSON messages (the `LiveMessage` union, shared with the page):
 * - `shadow`: a shadow's current document after an update (`$aws/things/+/shadow[/name/+]/update/documents`),
 *   or `null` after a delete;
 * - `connectivity`: a client connected or disconnected (presence events), with its thing;
 * - `telemetry`: the entries of a batch once the store has it;
 * - `job`: a job's executions changed (a device's update or start-next, its pending list, AWS's
 *   job and job execution events), so the page reads the job again;
 * - `violation` and `alarm`: a Device Defender violation or an alarm as it changes (the JSON the
 *   cloud publishes on `$mote/defender/violations` and `$mote/alarms`).
 *
 * Browsers cannot send headers on a WebSocket, so the page sends `{"token": "<admin token>"}` as
 * its first message; until a valid one arrives nothing is sent, and a wrong or late one closes
 * the socket with code 4401.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AdminToken } from '../api/admin-token.js';
import type { MessageBus } from '../bus.js';
import type { Registry } from '../registry/registry.js';
import type { TelemetryStore } from '../telemetry/store.js';
import type { LiveMessage } from './app/messages.js';

export const LIVE_PATH = '/dashboard/live';
/** How long a socket may stay without sending the token. */
const AUTH_TIMEOUT_MS = 10_000;

export interface LiveFeedOptions {
  bus: MessageBus;
  registry: Registry;
  telemetry: TelemetryStore;
  adminToken: AdminToken;
  onError: (error: Error) => void;
}

export class LiveFeed {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly subscribers = new Set<WebSocket>();
  private closed = false;

  constructor(private readonly options: LiveFeedOptions) {
    const { bus, registry, telemetry, onError } = options;
    const shadowOf = (topic: string) => {
      const parts = topic.split('/'); // $aws/things/{thing}/shadow[/name/{shadow}]/...
      return { thingName: parts[2]!, ...(parts[4] === 'name' && { shadowName: parts[5]! }) };
    };
    const onShadow = (deleted: boolean) => (topic: string, payload: Buffer) => {
      try {
        const document = deleted ? null : (JSON.parse(payload.toString('utf8')) as { current: unknown }).current;
        this.send({ type: 'shadow', ...shadowOf(topic), document } as LiveMessage);
      } catch (error) {
        onError(error as Error);
      }
    };
    for (const prefix of ['$aws/things/+/shadow', '$aws/things/+/shadow/name/+']) {
      bus.subscribe(`${prefix}/update/documents`, onShadow(false));
      bus.subscribe(`${prefix}/delete/accepted`, onShadow(true));
    }
    // Presence is published once the connectivity is recorded, so the record is current.
    bus.subscribe('$aws/events/presence/+/+', (topic) => {
      const clientId = topic.split('/').slice(4).join('/');
      registry.connectivity
        .ofClient(clientId)
        .then((state) => state && this.send({ type: 'connectivity', ...state }))
        .catch(onError);
    });
    const onJob = (topic: string) => {
      const parts = topic.split('/');
      if (parts[0] === '$aws' && parts[1] === 'events') return this.send({ type: 'job', jobId: parts[3]! }); // $aws/events/job[Execution]/{job}/{operation}
      const jobId = parts[4] !== 'notify' && parts[4] !== 'start-next' ? parts[4] : undefined; // $aws/things/{thing}/jobs/...
      this.send({ type: 'job', thingName: parts[2]!, ...(jobId !== undefined && { jobId }) });
    };
    for (const filter of ['$aws/things/+/jobs/notify', '$aws/things/+/jobs/start-next/accepted', '$aws/things/+/jobs/+/update/accepted', '$aws/events/job/+/+', '$aws/events/jobExecution/+/+']) bus.subscribe(filter, onJob);
    const forward = (type: 'violation' | 'alarm') => (_topic: string, payload: Buffer) => {
      try {
        this.send({ type, [type]: JSON.parse(payload.toString('utf8')) } as LiveMessage);
      } catch (error) {
        onError(new Error(`dashboard: ${type} not forwarded, not JSON: ${(error as Error).message}`));
      }
    };
    bus.subscribe('$mote/defender/violations', forward('violation'));
    bus.subscribe('$mote/alarms', forward('alarm'));
    telemetry.onStored((batch) => this.send({ type: 'telemetry', thingName: batch.thingName, entries: batch.entries }));
  }

  /** Takes over an HTTP upgrade request for the feed's path; false for any other path. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (request.url?.split('?')[0] !== LIVE_PATH || this.closed) return false;
    this.server.handleUpgrade(request, socket, head, (ws) => this.admit(ws));
    return true;
  }

  private admit(ws: WebSocket): void {
    const refuse = (reason: string) => ws.close(4401, reason);
    const timer = setTimeout(() => refuse('send {"token": "<admin token>"} first'), AUTH_TIMEOUT_MS);
    ws.once('message', (data) => {
      clearTimeout(timer);
      let token: unknown;
      try {
        token = (JSON.parse(data.toString()) as { token?: unknown }).token;
      } catch {
        return refuse('the first message must be JSON: {"token": "<admin token>"}');
      }
      if (typeof token !== 'string') return refuse('the first message must be {"token": "<admin token>"}');
      this.options.adminToken
        .verify(token)
        .then((valid) => {
          if (!valid) return refuse('wrong admin token');
          if (ws.readyState !== ws.OPEN) return;
          this.subscribers.add(ws);
          ws.send(JSON.stringify({ type: 'ready' } satisfies LiveMessage));
        })
        .catch(this.options.onError);
    });
    ws.on('close', () => {
      clearTimeout(timer);
      this.subscribers.delete(ws);
    });
    ws.on('error', () => ws.terminate());
  }

  private send(message: LiveMessage): void {
    if (this.closed) return;
    const text = JSON.stringify(message);
    for (const ws of this.subscribers) ws.send(text);
  }

  /** Closes every socket; the bus subscriptions then do nothing. */
  close(): void {
    this.closed = true;
    for (const ws of this.server.clients) ws.terminate();
    this.subscribers.clear();
    this.server.close();
  }
}
