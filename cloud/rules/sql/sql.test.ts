import { describe, expect, it } from 'vitest';
import { evaluate, type EvalContext } from './evaluate.js';
import { SqlSyntaxError } from './lexer.js';
import { parseSql } from './parser.js';

const context = (payload: unknown, extra: Partial<EvalContext> = {}): EvalContext => ({
  topic: 'topic/subtopic',
  payload: Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload)),
  clientId: 'lamp-1',
  principal: 'tok-0123456789abcdef',
  timestamp: 1_767_225_600_123,
  ...extra,
});

async function run(sql: string, payload: unknown, extra: Partial<EvalContext> = {}) {
  const result = await evaluate(parseSql(sql), context(payload, extra));
  return result.matched ? result.output : 'no match';
}

function syntaxError(sql: string): SqlSyntaxError {
  try {
    parseSql(sql);
  } catch (error) {
    if (error instanceof SqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`parsed: ${sql}`);
}

describe('AWS IoT SQL: the developer guide examples', () => {
  it('SELECT * copies the payload; WHERE filters (the guide: color = "red")', async () => {
    const sql = "SELECT * FROM 'topic/subtopic' WHERE color = 'red'";
    expect(await run(sql, { color: 'red', temperature: 50 })).toEqual({ color: 'red', temperature: 50 });
    expect(await run(sql, { color: 'green' })).toBe('no match');
  });

  it('the "." operator and AS with a nested name: SELECT foo.bar AS bar.baz', async () => {
    expect(await run("SELECT foo.bar AS bar.baz FROM 'topic/subtopic'", { foo: { bar: 'RED', bar1: 'GREEN', bar2: 'BLUE' } })).toEqual({ bar: { baz: 'RED' } });
  });

  it('get() reaches names with hyphens and digits that dot notation cannot', async () => {
    const payload = { mydata: { item2: { '0': { 'my-key': 'myValue' } } } };
    expect(await run(`SELECT * from 'iot/rules' WHERE get(get(get(mydata,"item2"),"0"),"my-key") = "myValue"`, payload)).toEqual(payload);
  });

  it('a function over a field: SELECT temp, md5(deviceid) AS hashed_id FROM topic/# (unquoted FROM)', async () => {
    const payload = { deviceid: 'iot123', temp: 54.98, humidity: 32.43, coords: { latitude: 47.615694, longitude: -122.3359976 } };
    expect(await run('SELECT temp, md5(deviceid) AS hashed_id FROM topic/#', payload)).toEqual({ temp: 54.98, hashed_id: 'e37f81fb397e595c4aeb5645b8cbbbd1' });
  });

  it('object and array literals (the Literals page)', async () => {
    expect(await run("SELECT {'latitude': get(lat_long, 0),'longitude':get(lat_long, 1)} as lat_long FROM 'a/b'", { lat_long: [47.606, -122.332] }))
      .toEqual({ lat_long: { latitude: 47.606, longitude: -122.332 } });
    expect(await run("SELECT [lat,long] as lat_long FROM 'a/b'", { lat: 47.606, long: -122.332 })).toEqual({ lat_long: [47.606, -122.332] });
  });

  it('CASE (the Case statements page: a traffic light)', async () => {
    const sql = "SELECT CASE color WHEN 'green' THEN 'go' WHEN 'yellow' THEN 'caution' WHEN 'red' THEN 'stop' ELSE 'you are not at a stop light' END as instructions FROM 'topic/subtopic'";
    expect(await run(sql, { color: 'yellow' })).toEqual({ instructions: 'caution' });
    expect(await run(sql, { color: 'blue' })).toEqual({ instructions: 'you are not at a stop light' });
    // No ELSE and no match: Undefined, so the field is left out.
    expect(await run("SELECT CASE color WHEN 'red' THEN 'stop' END AS i FROM 'a'", { color: 'blue' })).toEqual({});
    expect(await run("SELECT CASE WHEN t > 30 THEN 'hot' WHEN t > 15 THEN 'mild' ELSE 'cold' END AS feel FROM 'a'", { t: 20 })).toEqual({ feel: 'mild' });
  });

  it('topic(n), clientid(), principal(), timestamp()', async () => {
    expect(await run("SELECT topic() AS t, topic(2) AS second, topic(9) AS none, clientid() AS c, principal() AS p, timestamp() AS ts FROM 'topic/#'", {}))
      .toEqual({ t: 'topic/subtopic', second: 'subtopic', c: 'lamp-1', p: 'tok-0123456789abcdef', ts: 1_767_225_600_123 });
    // Without AS the output key is the function's name.
    expect(await run("SELECT topic(1) FROM 'topic/#'", {})).toEqual({ topic: 'topic' });
  });

  it('SELECT *, plus more fields, merges them into the payload', async () => {
    expect(await run("SELECT *, topic() AS topic FROM '#'", { a: 1 })).toEqual({ a: 1, topic: 'topic/subtopic' });
  });

  it('encode(*, "base64") and decode(): payloads that are not JSON', async () => {
    const raw = Buffer.from([0x00, 0xff, 0x10, 0x7f]);
    expect(await run("SELECT encode(*, 'base64') AS data FROM 'a'", raw)).toEqual({ data: 'AP8Qfw==' });
    // SELECT * of a binary payload passes the bytes unchanged.
    expect(await run("SELECT * FROM 'a'", raw)).toEqual(raw);
    expect(await run("SELECT decode(encode(*, 'base64'), 'base64') AS again FROM 'a'", { x: [1, 2] })).toEqual({ again: { x: [1, 2] } });
    expect(await run("SELECT decode('bm90IGpzb24=', 'base64') AS s FROM 'a'", {})).toEqual({ s: 'not json' });
    expect(await run("SELECT decode('%%%', 'base64') AS s FROM 'a'", {})).toEqual({});
    expect(await run("SELECT decode(*, 'base64') AS d FROM 'a'", Buffer.from(Buffer.from('{"t":5}').toString('base64')))).toEqual({ d: { t: 5 } });
    // encode(*) takes the bytes as published, spaces included.
    expect(await run("SELECT encode(*, 'base64') AS e FROM 'a'", Buffer.from('{ "a": 1 }'))).toEqual({ e: Buffer.from('{ "a": 1 }').toString('base64') });
  });

  it('get_thing_shadow(thing, role) and get_thing_shadow(thing, shadow, role) read the store', async () => {
    const shadows: Record<string, object> = { 'lamp-1': { state: { reported: { on: true } } }, 'lamp-1~config': { state: { desired: { level: 3 } } } };
    const getThingShadow = async (thing: string, shadow: string | undefined) => shadows[shadow === undefined ? thing : `${thing}~${shadow}`];
    const sql = "SELECT * FROM 'a' WHERE get_thing_shadow(clientid(), 'arn:aws:iam::123456789012:role/r').state.reported.on = true";
    expect(await run(sql, { x: 1 }, { getThingShadow })).toEqual({ x: 1 });
    expect(await run(sql, { x: 1 }, { getThingShadow, clientId: 'lamp-2' })).toBe('no match');
    expect(await run("SELECT get_thing_shadow('lamp-1', 'config', 'arn:role').state.desired.level AS level FROM 'a'", {}, { getThingShadow })).toEqual({ level: 3 });
  });
});

describe('AWS IoT SQL: types, operators and Undefined', () => {
  it('Undefined fields are left out; NULL is kept', async () => {
    expect(await run("SELECT foo, bar, NULL AS n FROM 'a'", { foo: null })).toEqual({ foo: null, n: null });
  });

  it('arithmetic: Int / Int is an Int, numeric strings convert, other types give Undefined', async () => {
    expect(await run("SELECT 5 / 2 AS i, 5.0 / 2 AS d, 7 % 3 AS m, '3' + 4 AS s, a * 2 AS x, t + 1 AS u, 1 / 0 AS z, -a AS neg FROM 'a'", { a: 1.5, t: true }))
      .toEqual({ i: 2, d: 2, m: 1, s: 7, x: 3, neg: -1.5 });
    // 5.0 is an Int in 2016-03-23, as in AWS; a Decimal stays one.
    expect(await run("SELECT 5.5 / 2 AS d FROM 'a'", {})).toEqual({ d: 2.75 });
    expect(await run("SELECT 1 + 2 * 3 AS p, (1 + 2) * 3 AS q, 10 - 4 - 3 AS r FROM 'a'", {})).toEqual({ p: 7, q: 9, r: 3 });
  });

  it('comparisons convert to numbers; = compares by type and deeply', async () => {
    expect(await run("SELECT '10' > 9 AS gt, 2 <= 2 AS le, 'abc' > 1 AS bad, 1 = 1.0 AS eq, '1' = 1 AS mixed, [1,2] = [1,2] AS arr, a <> 3 AS ne, b = 1 AS undef FROM 'a'", { a: 4 }))
      .toEqual({ gt: true, le: true, eq: true, mixed: false, arr: true, ne: true });
    expect(await run("SELECT * FROM 'a' WHERE a != 4", { a: 4 })).toBe('no match');
  });

  it('AND, OR, NOT take Booleans or "true"/"false" strings; anything else is Undefined, which WHERE rejects', async () => {
    expect(await run("SELECT 'TRUE' AND true AS a, false OR 'false' AS o, NOT 'False' AS n, 1 AND true AS u FROM 'a'", {})).toEqual({ a: true, o: false, n: true });
    expect(await run("SELECT * FROM 'a' WHERE missing > 1 OR true", { x: 1 })).toBe('no match');
    expect(await run("SELECT * FROM 'a' WHERE NOT x = 2 AND y = 'z'", { x: 1, y: 'z' })).toEqual({ x: 1, y: 'z' });
    // NOT binds looser than =, OR looser than AND.
    expect(await run("SELECT * FROM 'a' WHERE x = 1 OR x = 2 AND y = 3", { x: 1, y: 0 })).toEqual({ x: 1, y: 0 });
  });

  it('nested paths and [n] indexes', async () => {
    const payload = { state: { reported: { readings: [{ t: 20 }, { t: 21 }] } }, list: ['a', 'b'] };
    expect(await run("SELECT state.reported.readings[1].t AS t, list[0] AS first, list[5] AS none, state.reported.readings[0] FROM 'a'", payload))
      .toEqual({ t: 21, first: 'a', readings: { t: 20 } });
  });

  it('functions: numbers, strings, cast, and Undefined for wrong types', async () => {
    expect(await run("SELECT abs(-5) AS a, abs('-5.5') AS b, abs(true) AS c, round(2.5) AS r, floor(-1.5) AS f, power(2, 10) AS p, mod(-7, 3) AS m, bitand(12, 10) AS band, sqrt(-1) AS s FROM 'a'", {}))
      .toEqual({ a: 5, b: 5.5, r: 3, f: -2, p: 1024, m: 2, band: 8 });
    expect(await run("SELECT concat('a', 1, true) AS c, concat([1], [2, 3]) AS arr, length('héllo') AS len, upper('x') AS u, substring('123456', 1, 3) AS sub, startswith('abc', 'ab') AS sw, indexof('abcd', 'cd') AS i, replace('a-b-c', '-', '+') AS rep, lpad('x', 2) AS lp FROM 'a'", {}))
      .toEqual({ c: 'a1true', arr: [1, 2, 3], len: 5, u: 'X', sub: '23', sw: true, i: 2, rep: 'a+b+c', lp: '  x' });
    expect(await run("SELECT regexp_matches('ab12', '[0-9]+') AS m, regexp_replace('ab12', '[0-9]', 'N') AS r, regexp_substr('ab12cd', '[0-9]+') AS s FROM 'a'", {}))
      .toEqual({ m: true, r: 'abNN', s: '12' });
    expect(await run("SELECT cast('12.7' AS Int) AS i, cast(true AS Decimal) AS d, cast(0 AS Boolean) AS b, cast(12 AS String) AS s, cast('x' AS Int) AS u FROM 'a'", {}))
      .toEqual({ i: 12, d: 1, b: false, s: '12' });
    expect(await run("SELECT isNull(a) AS n, isUndefined(b) AS u, get_or_default(b, 'dflt') AS d, sha256('') AS h FROM 'a'", { a: null }))
      .toEqual({ n: true, u: true, d: 'dflt', h: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
    const uuid = await run("SELECT newuuid() AS id FROM 'a'", {}) as { id: string };
    expect(uuid.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keywords in any case, strings in either quote with escapes, keywords as output and member names', async () => {
    expect(await run(`select "it\\'s" as s, 'a\\u00e9' AS e, state.desired AS end from 'a' where TRUE`, { state: { desired: 1 } })).toEqual({ s: "it's", e: 'aé', end: 1 });
  });

  it('a payload that is not JSON has no fields', async () => {
    expect(await run("SELECT a, topic() AS t FROM 'a'", Buffer.from('not json'))).toEqual({ t: 'topic/subtopic' });
  });
});

describe('AWS IoT SQL: syntax errors name the line, the column and what was expected', () => {
  it.each([
    ['SELEC * FROM a', 1, 1, "expected SELECT, found 'SELEC'"],
    ["SELECT * FROM 'a' WHER x = 1", 1, 19, "expected WHERE or the end of the statement, found 'WHER'"],
    ['SELECT a b FROM x', 1, 10, "expected ',', AS or FROM, found 'b'"],
    ['SELECT a FROM', 1, 14, 'expected a topic filter after FROM, found the end of the statement'],
    ["SELECT a FROM 'a/#/b'", 1, 15, "invalid topic filter 'a/#/b'"],
    ["SELECT * FROM 'a'\nWHERE x = ", 2, 11, 'expected a value, a field, a function call or (, found the end of the statement'],
    ["SELECT nosuch(a) AS x FROM 'a'", 1, 8, 'unknown function nosuch()'],
    ["SELECT topic(1, 2) FROM 'a'", 1, 8, 'topic() takes 0 to 1 arguments, not 2'],
    ["SELECT 1 + 2 FROM 'a'", 1, 8, 'this expression needs a name: add AS <name>'],
    ["SELECT a FROM 'x' WHERE b = 'abc", 1, 29, 'string starting here is not closed'],
    ["SELECT a FROM 'x' WHERE a = 1 )", 1, 31, "expected an operator or the end of the statement, found ')'"],
    ["SELECT CASE a WHEN 1 THEN 2 FROM 'x'", 1, 29, "expected WHEN, ELSE or END, found 'FROM'"],
    ["SELECT cast(a AS Float) AS f FROM 'x'", 1, 18, 'expected a type (Int, Decimal, Boolean, String)'],
    ["SELECT a # b FROM 'x'", 1, 10, "unexpected character '#'"],
    ["SELECT {a: 1} AS o FROM 'x'", 1, 9, "expected a quoted key, found 'a'"],
  ])('%s', (sql, line, column, reason) => {
    const error = syntaxError(sql);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.reason).toContain(reason);
    expect(error.message).toMatch(new RegExp(`^${line}:${column}: `));
  });
});
