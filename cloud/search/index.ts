/**
 * Fleet search: each thing as one document of its registry entry (name, type, attributes,
 * groups), its shadows (classic and named: reported, desired, version, hasDelta) and its
 * connectivity, matched against a fleet indexing query (query.ts).
 *
 * The documents are read from the store for each search (four queries, whatever the fleet's
 * size) rather than kept in a separate index, so a result is never stale: a shadow update or a
 * disconnect is searchable the moment it is committed. That is a linear scan — fine for fleets
 * of thousands; a larger fleet would want an index maintained on each change.
 */
import { delta, type ShadowDocument } from '../shadow/document.js';
import type { Database } from '../store/database.js';
import { parseQuery, type Match, type Query } from './query.js';

export interface IndexedShadow {
  reported?: Record<string, unknown>;
  desired?: Record<string, unknown>;
  version: number;
  hasDelta: boolean;
}

export interface IndexedThing {
  thingName: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
  thingGroupNames: string[];
  /** The classic shadow, if the thing has one. */
  shadow?: IndexedShadow;
  /** Named shadows by name. */
  namedShadows: Record<string, IndexedShadow>;
  connectivity: { connected: boolean; timestamp?: number; disconnectReason?: string };
}

export interface SearchPage {
  things: IndexedThing[];
  /** Pass back to get the next page; absent on the last one. */
  nextToken?: string;
}

/** The values a field holds in a thing's document: none, one, or several (arrays, groups). */
function valuesOf(thing: IndexedThing, field: string): unknown[] {
  const [head, ...rest] = field.split('.');
  switch (head) {
    case 'thingName': return [thing.thingName];
    case 'thingTypeName': return thing.thingTypeName === undefined ? [] : [thing.thingTypeName];
    case 'thingGroupNames': return thing.thingGroupNames;
    case 'attributes': {
      const name = rest.join('.');
      return Object.hasOwn(thing.attributes, name) ? [thing.attributes[name]] : [];
    }
    case 'connectivity': {
      const value = thing.connectivity[rest[0] as keyof IndexedThing['connectivity']];
      return value === undefined ? [] : [value];
    }
    case 'shadow': {
      const named = rest[0] === 'name';
      const shadow = named ? thing.namedShadows[rest[1]!] : thing.shadow;
      const [section, ...path] = named ? rest.slice(2) : rest;
      if (!shadow) return [];
      if (section === 'version' || section === 'hasDelta') return [shadow[section]];
      return walk(shadow[section as 'reported' | 'desired'], path);
    }
  }
  return [];
}

/** The values at `path` inside a shadow section; arrays on the way are searched element by element. */
function walk(value: unknown, path: string[]): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((item) => walk(item, path));
  if (path.length === 0) return [value];
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, path[0]!)) return [];
  return walk((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

const numeric = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && numeric.test(v) ? Number(v) : undefined);
const patternOf = (text: string) => new RegExp(`^${text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');

function matches(value: unknown, match: Match): boolean {
  if (match.kind === 'exists') return true;
  if (value === null || typeof value === 'object') return false;
  const text = String(value);
  if (match.kind === 'text') {
    if (match.wildcard) return patternOf(match.text).test(text);
    const n = asNumber(match.text);
    return typeof value === 'number' && n !== undefined ? value === n : text === match.text;
  }
  // Ranges compare numbers as numbers when the value and every given bound are numbers, else as text.
  const bounds = [match.low, match.high].filter((b): b is string => b !== undefined);
  const n = asNumber(value);
  const compare = n !== undefined && bounds.every((b) => asNumber(b) !== undefined)
    ? (bound: string) => n - asNumber(bound)!
    : (bound: string) => (text < bound ? -1 : text > bound ? 1 : 0);
  if (match.low !== undefined) {
    const c = compare(match.low);
    if (c < 0 || (c === 0 && !match.lowInclusive)) return false;
  }
  if (match.high !== undefined) {
    const c = compare(match.high);
    if (c > 0 || (c === 0 && !match.highInclusive)) return false;
  }
  return true;
}

export function queryMatches(query: Query, thing: IndexedThing): boolean {
  switch (query.kind) {
    case 'term': return valuesOf(thing, query.field).some((v) => matches(v, query.match));
    case 'and': return queryMatches(query.left, thing) && queryMatches(query.right, thing);
    case 'or': return queryMatches(query.left, thing) || queryMatches(query.right, thing);
    case 'not': return !queryMatches(query.operand, thing);
  }
}

export class FleetSearch {
  constructor(private readonly db: Database) {}

  /** Things matching `query` (text, parsed here, or already parsed), by name, `maxResults` at a time. */
  async search(query: string | Query, options: { maxResults?: number; nextToken?: string } = {}): Promise<SearchPage> {
    const parsed = typeof query === 'string' ? parseQuery(query) : query;
    const limit = options.maxResults ?? 100;
    const found: IndexedThing[] = [];
    for (const thing of await this.documents()) {
      if (options.nextToken !== undefined && thing.thingName <= options.nextToken) continue;
      if (!queryMatches(parsed, thing)) continue;
      if (found.length === limit) return { things: found, nextToken: found[found.length - 1]!.thingName };
      found.push(thing);
    }
    return { things: found };
  }

  /** Every thing's document, by name. */
  async documents(): Promise<IndexedThing[]> {
    const [things, members, shadows, links] = await Promise.all([
      this.db.all<{ name: string; thing_type: string | null; attributes: string }>('SELECT name, thing_type, attributes FROM things ORDER BY name'),
      this.db.all<{ group_name: string; thing_name: string }>('SELECT group_name, thing_name FROM thing_group_members ORDER BY group_name'),
      this.db.all<{ thing_name: string; shadow_name: string; document: string; version: number }>('SELECT thing_name, shadow_name, document, version FROM shadows WHERE document IS NOT NULL'),
      this.db.all<{ thing_name: string; connected: number; changed_at: number; disconnect_reason: string | null }>(
        'SELECT thing_name, connected, changed_at, disconnect_reason FROM connectivity WHERE thing_name IS NOT NULL ORDER BY changed_at',
      ),
    ]);
    const byName = new Map<string, IndexedThing>();
    for (const row of things) {
      byName.set(row.name, {
        thingName: row.name, ...(row.thing_type !== null && { thingTypeName: row.thing_type }),
        attributes: JSON.parse(row.attributes) as Record<string, string>, thingGroupNames: [], namedShadows: {}, connectivity: { connected: false },
      });
    }
    for (const m of members) byName.get(m.thing_name)?.thingGroupNames.push(m.group_name);
    for (const s of shadows) {
      const thing = byName.get(s.thing_name);
      if (!thing) continue;
      const document = JSON.parse(s.document) as ShadowDocument;
      const indexed: IndexedShadow = {
        ...(document.state.reported && { reported: document.state.reported }),
        ...(document.state.desired && { desired: document.state.desired }),
        version: s.version, hasDelta: delta(document) !== undefined,
      };
      if (s.shadow_name === '') thing.shadow = indexed;
      else thing.namedShadows[s.shadow_name] = indexed;
    }
    // The latest change of any client attached as the thing wins (rows come oldest first).
    for (const c of links) {
      const thing = byName.get(c.thing_name);
      if (thing) thing.connectivity = { connected: c.connected === 1, timestamp: c.changed_at, ...(c.disconnect_reason !== null && { disconnectReason: c.disconnect_reason }) };
    }
    return [...byName.values()];
  }
}
