/**
 * Alarms (`#/alarms`, and a thing's on its page: those keyed by its name): each with its state,
 * severity and message; an active or latched one has an Acknowledge button taking a note.
 */
import type { Alarm, Api } from './api.js';
import { ago, h, type LiveHandler } from './dom.js';
import { recordTable, type RecordTable } from './records.js';

const keyOf = (a: Pick<Alarm, 'model' | 'key' | 'name'>) => `${a.model}/${a.key}/${a.name}`;
const rank: Record<Alarm['state'], number> = { ACTIVE: 0, LATCHED: 1, ACKNOWLEDGED: 2, NORMAL: 3 };

function acknowledgeForm(api: Api, alarm: Alarm, done: (alarm: Alarm) => void): HTMLElement {
  const note = h('input', { type: 'text', name: 'note', placeholder: 'note (optional)', 'aria-label': `note for ${alarm.name}` });
  const problem = h('span', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'acknowledge' }, note, ' ', h('button', { type: 'submit' }, 'Acknowledge'), ' ', problem);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api.acknowledge(alarm, note.value.trim()).then(done, (error: Error) => (problem.textContent = error.message));
  });
  return form;
}

/** The alarms of one thing (keyed by its name), or of all. */
export function alarmTable(api: Api, thing?: string): RecordTable<Alarm> {
  const table: RecordTable<Alarm> = recordTable<Alarm>({
    what: 'Alarms',
    load: () => api.alarms(),
    keyOf,
    wanted: (a) => thing === undefined || a.key === thing,
    compare: (a, b) => rank[a.state] - rank[b.state] || b.severity - a.severity || b.updatedAt - a.updatedAt,
    heads: ['alarm', 'key', 'state', 'severity', 'message', 'updated', ''],
    row: (a) =>
      h('tr', { 'data-alarm': keyOf(a) },
        h('td', {}, `${a.model} / ${a.name}`),
        h('td', {}, a.key),
        h('td', {}, h('span', { class: `badge alarm-${a.state.toLowerCase()}` }, a.state)),
        h('td', {}, a.severity),
        h('td', {}, a.message, a.note !== undefined && h('div', { class: 'note' }, `note: ${a.note}`)),
        h('td', { class: 'when' }, ago(a.updatedAt)),
        h('td', {}, (a.state === 'ACTIVE' || a.state === 'LATCHED') && acknowledgeForm(api, a, (acknowledged) => table.put(acknowledged)))),
    empty: 'No alarms.',
  });
  return table;
}

export const onAlarm = (table: RecordTable<Alarm>): LiveHandler => (message) => message.type === 'alarm' && table.put(message.alarm);

export async function alarmsView(api: Api, main: HTMLElement): Promise<LiveHandler> {
  const table = alarmTable(api);
  await table.read();
  main.replaceChildren(h('p', {}, h('a', { href: '#/' }, '← fleet')), h('section', { class: 'card' }, h('h2', {}, 'Alarms'), table.element));
  return onAlarm(table);
}
