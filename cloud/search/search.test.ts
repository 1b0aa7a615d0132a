// Fleet search: the query syntax (AWS's documented examples, and errors with their column), then
// queries over a real cloud's store (in-memory SQLite) holding things, groups, shadows and
// connectivity, and the GET /search route.
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../cloud.js';
import { FleetSearch } from './index.js';
import { QuerySyntaxError, parseQuery } from './query.js';

const clouds: Cloud[] = [];
afterEach(async () => void (await Promise.all(clouds.splice(0).map((c) => c.close()))));

function syntaxError(query: string): QuerySyntaxError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`parsed: ${query}`);
}

describe('fleet indexing query syntax', () => {
  it('parses the documented forms: wildcards, ranges, existence, named shadows, connectivity, AND/OR/NOT and parentheses', () => {
    expect(parseQuery('thingName:my*')).toEqual({ kind: 'term', field: 'thingName', match: { kind: 'text', text: 'my*', wildcard: true } });
    expect(parseQuery('attributes.a:[75 TO 80]')).toEqual({ kind: 'term', field: 'attributes.a', match: { kind: 'range', low: '75', high: '80', lowInclusive: true, highInclusive: true } });
    expect(parseQuery('shadow.reported.x:{1 TO *]')).toEqual({ kind: 'term', field: 'shadow.reported.x', match: { kind: 'range', low: '1', lowInclusive: false, highInclusive: true } });
    expect(parseQuery('shadow.reported.x:*')).toEqual({ kind: 'term', field: 'shadow.reported.x', match: { kind: 'exists' } });
    expect(parseQuery('shadow.name.config.hasDelta:true').kind).toBe('term');
    expect(parseQuery('connectivity.connected:true AND NOT thingGroupNames:"hall lights" OR thingTypeName:lamp')).toEqual({
      kind: 'or',
      left: {
        kind: 'and',
        left: { kind: 'term', field: 'connectivity.connected', match: { kind: 'text', text: 'true', wildcard: false } },
        right: { kind: 'not', operand: { kind: 'term', field: 'thingGroupNames', match: { kind: 'text', text: 'hall lights', wildcard: false } } },
      },
      right: { kind: 'term', field: 'thingTypeName', match: { kind: 'text', text: 'lamp', wildcard: false } },
    });
    expect(parseQuery('thingName:a AND (attributes.b:c OR attributes.d:e)').kind).toBe('and');
  });

  it.each([
    ['thingName:*lamp', 11, "a value cannot start with a wildcard: '*lamp'"],
    ['thingName:?amp', 11, 'a value cannot start with a wildcard'],
    ['thingName lamp', 11, "expected ':' and a value after the field thingName, found 'lamp'"],
    ['thingName:a b:c', 13, "expected AND, OR or the end of the query, found 'b'"],
    ['thingName:a AND', 16, 'expected a term field:value, NOT or (, found the end of the query'],
    ['(thingName:a OR thingName:b', 28, "expected AND, OR or ')', found the end of the query"],
    ['attributes.a:[1 80]', 17, "expected TO, found '80'"],
    ['attributes.a:[1 TO 80', 22, "expected ']' or '}' to close the range, found the end of the query"],
    ['colour:red', 1, "'colour' is not a searchable field"],
    ['shadow.reported:1', 1, "'shadow.reported' is not a searchable field"],
    ['thingName:"abc', 11, 'quoted value starting here is not closed'],
    ['', 1, 'expected a query'],
    ['a:1 OR thingName:1 OR thingName:2 OR thingName:3 OR thingName:4 OR thingName:5 OR thingName:6 OR thingName:7', 1, "'a' is not a searchable field"],
    ['thingName:1 OR thingName:2 OR thingName:3 OR thingName:4 OR thingName:5 OR thingName:6 OR thingName:7 OR thingName:8', 106, 'a query has at most 7 terms'],
  ])('refuses %j at column %i', (query, column, reason) => {
    const error = syntaxError(query);
    expect(error.column).toBe(column);
    expect(error.reason).toContain(reason);
    expect(error.message).toBe(`1:${column}: ${error.reason}`);
  });
});

describe('fleet search over the store', () => {
  async function fleet() {
    const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: 0 });
    clouds.push(cloud);
    const { registry, shadows } = cloud;
    await registry.things.create({ thingName: 'lamp-1', attributes: { floor: '2', room: 'hall' } });
    await registry.things.create({ thingName: 'lamp-2', attributes: { floor: '9', room: 'attic' } });
    await registry.things.create({ thingName: 'meter-1', attributes: { floor: '75' } });
    await registry.things.create({ thingName: 'sensor-x' });
    await registry.groups.create({ groupName: 'lights' });
    await registry.groups.addThing('lights', 'lamp-1');
    await registry.groups.addThing('lights', 'lamp-2');
    await shadows.update({ thingName: 'lamp-1' }, JSON.stringify({ state: { reported: { on: true, level: 80, tags: ['a', 'b'], env: { temp: 21.5 } } } }));
    await shadows.update({ thingName: 'lamp-2' }, JSON.stringify({ state: { desired: { on: true }, reported: { on: false, level: 20 } } }));
    await shadows.update({ thingName: 'meter-1', shadowName: 'config' }, JSON.stringify({ state: { desired: { rate: 5 } } }));
    await registry.connectivity.connected('lamp-1', 's1', 'lamp-1', 1000);
    await registry.connectivity.connected('meter-1', 's2', 'meter-1', 1000);
    await registry.connectivity.disconnected('meter-1', 's2', 'CLIENT_INITIATED_DISCONNECT', 2000);
    const search = new FleetSearch(cloud.db);
    const names = async (query: string) => (await search.search(query)).things.map((t) => t.thingName);
    return { cloud, search, names };
  }

  it('answers the documented example queries', async () => {
    const { names } = await fleet();
    expect(await names('thingName:lamp*')).toEqual(['lamp-1', 'lamp-2']);
    expect(await names('thingName:lamp-?')).toEqual(['lamp-1', 'lamp-2']);
    expect(await names('attributes.floor:[1 TO 10]')).toEqual(['lamp-1', 'lamp-2']);
    expect(await names('attributes.floor:[75 TO 80]')).toEqual(['meter-1']);
    expect(await names('attributes.floor:{2 TO 75}')).toEqual(['lamp-2']);
    expect(await names('attributes.room:hall')).toEqual(['lamp-1']);
    expect(await names('shadow.reported.on:*')).toEqual(['lamp-1', 'lamp-2']);
    expect(await names('shadow.reported.on:true')).toEqual(['lamp-1']);
    expect(await names('shadow.reported.level:[50 TO *]')).toEqual(['lamp-1']);
    expect(await names('shadow.reported.env.temp:21.5')).toEqual(['lamp-1']);
    expect(await names('shadow.reported.tags:b')).toEqual(['lamp-1']);
    expect(await names('shadow.hasDelta:true')).toEqual(['lamp-2']);
    expect(await names('shadow.name.config.hasDelta:true')).toEqual(['meter-1']);
    expect(await names('shadow.name.config.desired.rate:5')).toEqual(['meter-1']);
    expect(await names('connectivity.connected:true')).toEqual(['lamp-1']);
    expect(await names('connectivity.disconnectReason:CLIENT_INITIATED_DISCONNECT')).toEqual(['meter-1']);
    expect(await names('thingGroupNames:lights AND NOT connectivity.connected:true')).toEqual(['lamp-2']);
    expect(await names('NOT thingGroupNames:lights')).toEqual(['meter-1', 'sensor-x']);
    expect(await names('(thingName:sensor* OR attributes.floor:9) AND NOT shadow.reported.on:true')).toEqual(['lamp-2', 'sensor-x']);
  });

  it('returns each thing\'s document, by pages', async () => {
    const { search } = await fleet();
    const first = await search.search('thingName:l*', { maxResults: 1 });
    expect(first.things).toEqual([{
      thingName: 'lamp-1', attributes: { floor: '2', room: 'hall' }, thingGroupNames: ['lights'],
      shadow: { reported: { on: true, level: 80, tags: ['a', 'b'], env: { temp: 21.5 } }, version: 1, hasDelta: false },
      namedShadows: {}, connectivity: { connected: true, timestamp: 1000 },
    }]);
    expect(first.nextToken).toBe('lamp-1');
    const second = await search.search('thingName:l*', { maxResults: 1, nextToken: first.nextToken! });
    expect(second.things.map((t) => t.thingName)).toEqual(['lamp-2']);
    expect(second.nextToken).toBeUndefined();
  });

  it('GET /search answers things; a malformed query is a 400 with its position', async () => {
    const { cloud } = await fleet();
    const get = async (query: string) => {
      const response = await fetch(`${cloud.api!.url}/search?${new URLSearchParams({ query })}`, { headers: { authorization: `Bearer ${cloud.newAdminToken!}` } });
      return { status: response.status, body: (await response.json()) as { things?: { thingName: string }[]; issues?: { path: string; message: string }[] } };
    };
    const ok = await get('connectivity.connected:false AND thingName:m*');
    expect(ok.status).toBe(200);
    expect(ok.body.things!.map((t) => t.thingName)).toEqual(['meter-1']);
    const bad = await get('thingName:*lamp');
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ path: 'query.query', message: "1:11: a value cannot start with a wildcard: '*lamp'" }]);
  });
});
