/** The page's calls to the cloud's HTTP API, with the admin token; a refusal throws its message. */

export interface Thing {
  thingName: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
  version: number;
}

export interface Connectivity {
  thingName?: string;
  connected: boolean;
  timestamp?: number;
  disconnectReason?: string;
}

type State = Record<string, unknown>;

/** The shadow as GET /things/{thing}/shadow answers it. */
export interface Shadow {
  state: { desired?: State; reported?: State; delta?: State };
  version: number;
  timestamp: number;
}

/** A shadow's current document, as the live feed sends it. */
export interface ShadowDocumentMessage {
  state: { desired?: State; reported?: State };
  version: number;
}

export interface TelemetryEntry {
  ts: number;
  m: Record<string, number | string | boolean>;
}

/** A thing as GET /search answers it: its registry entry with its connectivity. */
export interface IndexedThing {
  thingName: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
  connectivity: Connectivity;
}

/** A job as GET /jobs answers it, with its executions counted by status. */
export interface Job {
  jobId: string;
  status: 'IN_PROGRESS' | 'CANCELED' | 'COMPLETED';
  description?: string;
  targets: string[];
  /** The job document; an OTA job's has `operation: "ota"`. */
  document: Record<string, unknown>;
  createdAt: number;
  lastUpdatedAt: number;
  jobProcessDetails: Record<string, number>;
}

/** One device's part in an OTA job, as GET /ota/jobs/{job}/progress answers it. */
export interface OtaProgress {
  thingName: string;
  status: string;
  /** downloading, rebooting, confirmed or failed. */
  step?: string;
  /** Bytes of the image received, of `size`. */
  received?: number;
  size?: number;
  percent?: number;
  reason?: string;
  lastUpdatedAt: number;
}

/** A Device Defender violation, as GET /defender/violations and the live feed carry it. */
export interface Violation {
  id: string;
  thing: string;
  behavior: string;
  metric: string;
  value: number;
  threshold: string;
  state: 'active' | 'cleared';
  startedAt: number;
  clearedAt?: number;
}

/** An alarm of a detector model, as GET /alarms and the live feed carry it. */
export interface Alarm {
  model: string;
  key: string;
  name: string;
  state: 'NORMAL' | 'ACTIVE' | 'ACKNOWLEDGED' | 'LATCHED';
  severity: number;
  message: string;
  updatedAt: number;
  note?: string;
}

/** One thing's execution of a job, as GET /jobs/{job}/things answers it. */
export interface JobExecution {
  thingName: string;
  status: string;
  statusDetails?: Record<string, string>;
  lastUpdatedAt: number;
}

/** A refusal; `issues` lists each bad field of a request the API found malformed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** A feature this cloud does not serve: no such route, or an answer without what the page reads. */
export class NotServed extends Error {}

const enc = encodeURIComponent;

export class Api {
  constructor(private readonly token: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const answer = text === '' ? undefined : (JSON.parse(text) as unknown);
    if (!response.ok) {
      const refusal = answer as { message?: string; issues?: { path: string; message: string }[] } | undefined;
      if (response.status === 404 && refusal?.message?.startsWith('no route ')) throw new NotServed(`${method} ${path.split('?')[0]}: ${refusal.message}`);
      throw new ApiError(response.status, refusal?.message ?? `${method} ${path}: HTTP ${response.status}`, refusal?.issues);
    }
    return answer as T;
  }

  /** The array `key` of a GET's answer. */
  private async list<T>(path: string, key: string): Promise<T[]> {
    const answer = await this.call<Record<string, unknown> | undefined>('GET', path);
    const items = answer?.[key];
    if (!Array.isArray(items)) throw new NotServed(`GET ${path.split('?')[0]} answers without "${key}"`);
    return items as T[];
  }

  /** Every thing, in name order (pages of 250: the next page starts after the last name). */
  async things(): Promise<Thing[]> {
    const things: Thing[] = [];
    for (;;) {
      const after = things.length > 0 ? `&after=${encodeURIComponent(things[things.length - 1]!.thingName)}` : '';
      const page = await this.call<{ things: Thing[] }>('GET', `/things?limit=250${after}`);
      things.push(...page.things);
      if (page.things.length < 250) return things;
    }
  }

  connectivity = (thing: string) => this.call<Connectivity>('GET', `/things/${encodeURIComponent(thing)}/connectivity`);

  /** The classic shadow, or undefined when the thing has none yet. */
  async shadow(thing: string): Promise<Shadow | undefined> {
    try {
      return await this.call<Shadow>('GET', `/things/${encodeURIComponent(thing)}/shadow`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && /shadow/i.test(error.message)) return undefined;
      throw error;
    }
  }

  updateDesired = (thing: string, desired: Record<string, unknown>) => this.call<unknown>('POST', `/things/${encodeURIComponent(thing)}/shadow`, { state: { desired } });

  telemetry = async (thing: string) => (await this.call<{ entries: TelemetryEntry[] }>('GET', `/things/${encodeURIComponent(thing)}/telemetry?limit=1000`)).entries;

  /** Every thing matching a fleet indexing query (pages of 500, followed by nextToken). */
  async search(query: string): Promise<IndexedThing[]> {
    const things: IndexedThing[] = [];
    let next: string | undefined;
    do {
      const page: { things: IndexedThing[]; nextToken?: string } = await this.call('GET', `/search?maxResults=500&query=${encodeURIComponent(query)}${next ? `&nextToken=${encodeURIComponent(next)}` : ''}`);
      things.push(...page.things);
      next = page.nextToken;
    } while (next);
    return things;
  }

  /** Every job, oldest first. */
  jobs = async () => (await this.call<{ jobs: Job[] }>('GET', '/jobs')).jobs;

  job = (jobId: string) => this.call<Job>('GET', `/jobs/${enc(jobId)}`);

  executions = async (job: string) => (await this.call<{ executions: JobExecution[] }>('GET', `/jobs/${encodeURIComponent(job)}/things`)).executions;

  otaProgress = (job: string) => this.list<OtaProgress>(`/ota/jobs/${enc(job)}/progress`, 'devices');

  /** Violations, active and cleared, optionally of one thing. */
  violations = (thing?: string) => this.list<Violation>(`/defender/violations${thing === undefined ? '' : `?thing=${enc(thing)}`}`, 'violations');

  alarms = () => this.list<Alarm>('/alarms', 'alarms');

  acknowledge = (alarm: Pick<Alarm, 'model' | 'key' | 'name'>, note: string) =>
    this.call<Alarm>('POST', `/alarms/${enc(alarm.model)}/${enc(alarm.key)}/${enc(alarm.name)}/acknowledge`, note === '' ? {} : { note });
}
