/** Device Defender violations (`#/defender`, and a thing's on its page): active ones first, then the cleared, newest first. */
import type { Api, Violation } from './api.js';
import { ago, h, type LiveHandler } from './dom.js';
import { recordTable, type RecordTable } from './records.js';

const row = (v: Violation) =>
  h('tr', { 'data-violation': v.id },
    h('td', {}, h('a', { href: `#/things/${encodeURIComponent(v.thing)}` }, v.thing)),
    h('td', {}, v.behavior),
    h('td', {}, `${v.metric} ${v.value}`),
    h('td', {}, v.threshold),
    h('td', {}, h('span', { class: `badge violation-${v.state}` }, v.state)),
    h('td', { class: 'when' }, `since ${ago(v.startedAt)}${v.clearedAt !== undefined ? ` · cleared ${ago(v.clearedAt)}` : ''}`));

/** The violations of one thing, or of all. */
export function violationTable(api: Api, thing?: string): RecordTable<Violation> {
  return recordTable<Violation>({
    what: 'Device Defender violations',
    load: () => api.violations(thing),
    keyOf: (v) => v.id,
    wanted: (v) => thing === undefined || v.thing === thing,
    compare: (a, b) => (a.state === b.state ? b.startedAt - a.startedAt : a.state === 'active' ? -1 : 1),
    heads: ['thing', 'behaviour', 'value', 'threshold', 'state', 'when'],
    row,
    empty: 'No violations.',
  });
}

export const onViolation = (table: RecordTable<Violation>): LiveHandler => (message) => message.type === 'violation' && table.put(message.violation);

export async function defenderView(api: Api, main: HTMLElement): Promise<LiveHandler> {
  const table = violationTable(api);
  await table.read();
  main.replaceChildren(h('p', {}, h('a', { href: '#/' }, '← fleet')), h('section', { class: 'card' }, h('h2', {}, 'Device Defender violations'), table.element));
  return onViolation(table);
}
