/**
 * The fleet dashboard page: the fleet (things with their connectivity and attributes, narrowed by a
 * fleet search query) at `#/`,
 * a thing (its shadow, with desired state to edit, and its telemetry chart) at `#/things/{name}`,
 * the jobs (each with its executions' status per thing, an OTA job's download progress) at `#/jobs`
 * (jobs.ts), Device Defender violations at `#/defender` (defender.ts), alarms at `#/alarms` (alarms.ts).
 * Data comes from the HTTP API with the admin token; the live feed (../live.ts) says what changed.
 *
 * The token arrives in the URL's fragment (`#token=...`, never sent to the server) or typed in,
 * and is kept for the browser tab only (sessionStorage).
 */
import { alarmsView, alarmTable, onAlarm } from './alarms.js';
import { Api, ApiError, type Connectivity, type Shadow, type TelemetryEntry, type Thing } from './api.js';
import { TelemetryChart } from './chart.js';
import { defenderView, onViolation, violationTable } from './defender.js';
import { ago, attributeList, h, json, show, type LiveHandler } from './dom.js';
import { jobsView } from './jobs.js';
import { queryProblem, type QueryProblem } from './search.js';
import type { LiveMessage } from './messages.js';

const TOKEN_KEY = 'mote-admin-token';
const main = document.querySelector('main')!;
const status = document.getElementById('live')!;

/** What the open view wants to hear from the live feed. */
let onLive: LiveHandler = () => undefined;

function takeToken(): string | undefined {
  const fragment = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fragment) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fragment[1]!));
    history.replaceState(null, '', `${location.pathname}#/`);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

function askForToken(problem?: string): void {
  const input = h('input', { type: 'password', name: 'token', placeholder: 'mote-admin.…', size: 48, autocomplete: 'off' });
  const form = h('form', { class: 'card token' },
    h('h2', {}, 'Admin token'),
    h('p', {}, 'The dashboard reads the fleet through the HTTP API, which needs the admin token (`mote dev` prints a link with it; `mote cloud admin-token` makes a new one).'),
    problem && h('p', { class: 'error' }, problem),
    input, ' ', h('button', { type: 'submit' }, 'Open'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    start();
  });
  show(main, form);
}

function connectLive(token: string, onRefused: (reason: string) => void): void {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/dashboard/live`);
  socket.onopen = () => socket.send(JSON.stringify({ token }));
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data as string) as LiveMessage;
    if (message.type === 'ready') {
      status.textContent = 'live';
      status.className = 'on';
    }
    onLive(message);
  };
  socket.onclose = (event) => {
    status.textContent = 'offline';
    status.className = 'off';
    if (event.code === 4401) onRefused(event.reason);
    else setTimeout(() => connectLive(token, onRefused), 2000); // the cloud restarting
  };
}

function connectivityBadge(state: Connectivity | undefined): HTMLElement {
  if (!state) return h('span', { class: 'badge unknown' }, 'never connected');
  const since = state.timestamp !== undefined ? ` · ${ago(state.timestamp)}` : '';
  return state.connected
    ? h('span', { class: 'badge online', title: 'connected' }, `online${since}`)
    : h('span', { class: 'badge offline', title: state.disconnectReason ?? '' }, `offline${since}${state.disconnectReason ? ` · ${state.disconnectReason}` : ''}`);
}

/** The API answers `{connected: false}` alone for a thing that never connected. */
const known = (state: Connectivity) => (state.timestamp !== undefined ? state : undefined);

/** The fleet view's search query, kept while the view is re-opened (a thing registered since). */
let fleetQuery = '';

/** The query with a caret under the column the API named, and why it was refused. */
function queryProblemView(query: string, problem: QueryProblem): HTMLElement {
  return h('div', { class: 'query-problem', role: 'alert' },
    h('p', { class: 'error' }, problem.column !== undefined ? `column ${problem.column}: ${problem.reason}` : problem.reason),
    problem.column !== undefined && h('pre', {}, `${query}\n${' '.repeat(problem.column - 1)}^`));
}

async function fleetView(api: Api): Promise<void> {
  const things = await api.things();
  const connectivity = new Map<string, Connectivity | undefined>();
  await Promise.all(things.map(async (t) => connectivity.set(t.thingName, known(await api.connectivity(t.thingName)))));
  /** The things the search matched, or undefined for the whole fleet. */
  let matches: Set<string> | undefined;
  const body = h('tbody');
  const shown = () => things.filter((t) => !matches || matches.has(t.thingName));
  const render = () =>
    show(body, ...shown().map((t: Thing) =>
      h('tr', { 'data-thing': t.thingName },
        h('td', {}, h('a', { href: `#/things/${encodeURIComponent(t.thingName)}`, class: 'thing-link' }, t.thingName)),
        h('td', {}, t.thingTypeName ?? '—'),
        h('td', { class: 'connectivity' }, connectivityBadge(connectivity.get(t.thingName))),
        h('td', {}, attributeList(t.attributes)))));
  const online = () => [...connectivity.values()].filter((c) => c?.connected).length;
  const summary = h('p', { class: 'summary' });
  const summarise = () =>
    (summary.textContent = matches ? `${shown().length} of ${things.length} things match` : `${things.length} things, ${online()} online`);

  const input = h('input', { type: 'search', name: 'query', placeholder: 'thingName:lamp* AND attributes.room:hall AND connectivity.connected:true', size: 64, 'aria-label': 'fleet search query' });
  input.value = fleetQuery;
  const problem = h('div');
  const search = async () => {
    fleetQuery = input.value.trim();
    show(problem);
    if (fleetQuery === '') matches = undefined;
    else {
      try {
        const found = await api.search(fleetQuery);
        for (const t of found) connectivity.set(t.thingName, known(t.connectivity));
        matches = new Set(found.map((t) => t.thingName));
        if (found.some((t) => !things.some((listed) => listed.thingName === t.thingName))) return void fleetView(api); // registered since
      } catch (error) {
        const refused = error instanceof ApiError ? queryProblem(error) : undefined;
        if (!refused) throw error;
        matches = new Set();
        show(problem, queryProblemView(fleetQuery, refused));
      }
    }
    render();
    summarise();
  };
  const form = h('form', { class: 'search' }, input, ' ', h('button', { type: 'submit' }, 'Search'), problem);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    search().catch((error: Error) => show(problem, h('p', { class: 'error', role: 'alert' }, error.message)));
  });
  await search();
  show(main, h('section', { class: 'card' },
    h('h2', {}, 'Fleet'), form, summary,
    things.length === 0 ? h('p', {}, 'No things registered yet: `mote cloud add-device <thing>` or POST /things.') :
      h('table', { class: 'fleet' }, h('thead', {}, h('tr', {}, h('th', {}, 'thing'), h('th', {}, 'type'), h('th', {}, 'connectivity'), h('th', {}, 'attributes'))), body)));
  onLive = (message) => {
    if (message.type !== 'connectivity' || message.thingName === undefined) return;
    if (!things.some((t) => t.thingName === message.thingName)) return void fleetView(api); // registered since
    connectivity.set(message.thingName, message);
    if (matches) return void search().catch(() => undefined); // the query may name connectivity; a failure keeps the last answer
    render();
    summarise();
  };
}

function shadowSection(api: Api, thing: string): { element: HTMLElement; refresh: () => Promise<void> } {
  const sections = h('div', { class: 'shadow-state' });
  const version = h('span', { class: 'version' });
  const editor = h('textarea', { name: 'desired', rows: 6, spellcheck: false, 'aria-label': 'desired state (JSON)' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'desired-editor' },
    h('label', {}, 'Desired state (JSON; null deletes a key)'), editor, problem,
    h('button', { type: 'submit' }, 'Update desired'));
  let edited = false;
  editor.addEventListener('input', () => (edited = true));
  const refresh = async () => {
    const shadow: Shadow | undefined = await api.shadow(thing);
    version.textContent = shadow ? `version ${shadow.version} · updated ${ago(shadow.timestamp * 1000)}` : 'no shadow yet';
    const part = (name: 'desired' | 'reported' | 'delta') =>
      h('div', { class: `state ${name}` }, h('h3', {}, name), h('pre', { 'data-section': name }, shadow?.state[name] ? json(shadow.state[name]) : '—'));
    show(sections, part('desired'), part('reported'), part('delta'));
    if (!edited) editor.value = json(shadow?.state.desired ?? {});
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let desired: unknown;
    try {
      desired = JSON.parse(editor.value);
    } catch (error) {
      problem.textContent = `not JSON: ${(error as Error).message}`;
      return;
    }
    if (desired === null || typeof desired !== 'object' || Array.isArray(desired)) {
      problem.textContent = 'desired state must be a JSON object, as {"led": "on"}';
      return;
    }
    problem.textContent = '';
    api.updateDesired(thing, desired as Record<string, unknown>).then(() => {
      edited = false;
      return refresh();
    }).catch((error: Error) => (problem.textContent = error.message));
  });
  return { element: h('section', { class: 'card' }, h('h2', {}, 'Shadow ', version), sections, form), refresh };
}

function latestValues(entries: TelemetryEntry[]): HTMLElement {
  const latest = new Map<string, { value: unknown; ts: number }>();
  for (const entry of entries) for (const [name, value] of Object.entries(entry.m)) latest.set(name, { value, ts: entry.ts });
  if (latest.size === 0) return h('p', {}, 'No telemetry stored for this thing yet.');
  return h('table', { class: 'latest' }, ...[...latest].map(([name, { value, ts }]) => h('tr', {}, h('th', {}, name), h('td', { 'data-measurement': name }, String(value)), h('td', { class: 'when' }, new Date(ts).toLocaleTimeString()))));
}

async function thingView(api: Api, thing: string): Promise<void> {
  const info = h('div', { class: 'thing-info' });
  const shadow = shadowSection(api, thing);
  const chartBox = h('div', { class: 'chart', id: 'telemetry-chart' });
  const latest = h('div');
  const violations = violationTable(api, thing);
  const alarms = alarmTable(api, thing);
  show(main,
    h('p', {}, h('a', { href: '#/' }, '← fleet')),
    h('section', { class: 'card' }, h('h2', {}, thing), info),
    shadow.element,
    h('section', { class: 'card' }, h('h2', {}, 'Telemetry'), chartBox, latest),
    h('section', { class: 'card', id: 'thing-violations' }, h('h2', {}, 'Device Defender violations'), violations.element),
    h('section', { class: 'card', id: 'thing-alarms' }, h('h2', {}, 'Alarms'), alarms.element));
  const [things, connectivity, entries] = await Promise.all([api.things(), api.connectivity(thing), api.telemetry(thing), violations.read(), alarms.read()]);
  const record = things.find((t) => t.thingName === thing);
  if (!record) return void show(main, h('p', { class: 'error' }, `There is no thing ${thing}.`), h('a', { href: '#/' }, '← fleet'));
  const renderInfo = (state: Connectivity | undefined) =>
    show(info, h('p', {}, connectivityBadge(state)), h('p', {}, `type: ${record.thingTypeName ?? '—'} · version ${record.version}`), attributeList(record.attributes));
  renderInfo(known(connectivity));
  await shadow.refresh();
  const chart = new TelemetryChart(chartBox);
  let all = entries;
  chart.set(all);
  show(latest, latestValues(all));
  const [onViolations, onAlarms] = [onViolation(violations), onAlarm(alarms)];
  onLive = (message) => {
    onViolations(message);
    onAlarms(message);
    if (!('thingName' in message) || message.thingName !== thing) return;
    if (message.type === 'connectivity') renderInfo(message);
    if (message.type === 'shadow' && message.shadowName === undefined) void shadow.refresh();
    if (message.type === 'telemetry') {
      all = [...all, ...message.entries];
      chart.add(message.entries);
      show(latest, latestValues(all));
    }
  };
}

let api: Api | undefined;
let live = false;

function refused(reason: string): void {
  sessionStorage.removeItem(TOKEN_KEY);
  api = undefined;
  live = false;
  askForToken(`The cloud refused the token: ${reason}`);
}

/** Views that hand back their live handler, by address. */
const views: Record<string, (api: Api, main: HTMLElement) => Promise<LiveHandler>> = { '#/jobs': jobsView, '#/defender': defenderView, '#/alarms': alarmsView };
/** Counts routes, so a slow view that finishes after the next one opened does not take the live feed. */
let routed = 0;

function route(): void {
  onLive = () => undefined;
  if (!api) return;
  const current = ++routed;
  const thing = /^#\/things\/(.+)$/.exec(location.hash);
  const handled = views[location.hash];
  const view = thing ? thingView(api, decodeURIComponent(thing[1]!)) : handled ? handled(api, main).then((handler) => void (current === routed && (onLive = handler))) : fleetView(api);
  view.catch((error: Error) => {
    if (error instanceof ApiError && error.status === 401) return refused(error.message);
    show(main, h('p', { class: 'error' }, error.message));
  });
}

function start(): void {
  const token = takeToken();
  if (!token) return askForToken();
  api = new Api(token);
  route();
  if (!live) connectLive(token, refused);
  live = true;
}

window.addEventListener('hashchange', route);
start();
