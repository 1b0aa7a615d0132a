/**
 * A table of records read from the API once, then kept current from the live feed: a record that
 * arrives replaces the one with its key, or joins the table. A cloud that does not serve the list
 * (an older version) gets a plain "not available on this cloud" instead of a broken page.
 */
import { ApiError, NotServed } from './api.js';
import { h, show } from './dom.js';

export interface RecordTable<T> {
  /** Where the table (or its absence, or its error) is shown. */
  element: HTMLElement;
  /** Reads the list (again). */
  read: () => Promise<void>;
  /** A record from the live feed. */
  put: (record: T) => void;
}

export interface RecordTableOptions<T> {
  what: string;
  load: () => Promise<T[]>;
  keyOf: (record: T) => string;
  /** Records not for this table (another thing's) are left out. */
  wanted?: (record: T) => boolean;
  /** Table order. */
  compare: (a: T, b: T) => number;
  heads: string[];
  row: (record: T) => HTMLElement;
  empty: string;
}

export function recordTable<T>(options: RecordTableOptions<T>): RecordTable<T> {
  const element = h('div', { class: 'records' });
  /** Each record with its row; a row is built again only when its record changes, so a note being typed elsewhere stays. */
  const rows = new Map<string, { record: T; row: HTMLElement }>();
  const body = h('tbody');
  const table = h('table', {}, h('thead', {}, h('tr', {}, ...options.heads.map((name) => h('th', {}, name)))), body);
  let served = true;
  const render = () => {
    if (rows.size === 0) return show(element, h('p', { class: 'summary' }, options.empty));
    body.append(...[...rows.values()].sort((a, b) => options.compare(a.record, b.record)).map((r) => r.row));
    if (table.parentNode !== element) show(element, table);
  };
  const keep = (record: T) => rows.set(options.keyOf(record), { record, row: options.row(record) });
  return {
    element,
    read: async () => {
      try {
        const list = await options.load();
        rows.clear();
        body.replaceChildren();
        for (const record of list) if (options.wanted?.(record) ?? true) keep(record);
        render();
      } catch (error) {
        if (error instanceof NotServed) {
          served = false;
          return show(element, h('p', { class: 'not-served' }, `${options.what}: not available on this cloud (${error.message}).`));
        }
        if (!(error instanceof ApiError) || error.status === 401) throw error;
        show(element, h('p', { class: 'error' }, `${options.what}: ${error.message}`)); // the rest of the page goes on
      }
    },
    put: (record) => {
      if (!served || !(options.wanted?.(record) ?? true)) return;
      rows.get(options.keyOf(record))?.row.remove();
      keep(record);
      render();
    },
  };
}
