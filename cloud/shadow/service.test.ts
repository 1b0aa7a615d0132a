// The shadow service's payloads, checked field by field against AWS IoT's documented contract.
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/open.js';
import { ShadowService, type ShadowOutcome } from './service.js';

const T0 = 1_767_225_600_000; // epoch ms; payloads carry epoch seconds
async function service(options: { thingExists?: (n: string) => Promise<boolean> } = {}) {
  let now = T0;
  const svc = new ShadowService(await openStore({ memory: true }), { ...options, now: () => now });
  return { svc, tick: (seconds: number) => (now += seconds * 1000) };
}
const lamp = { thingName: 'lamp' };
const json = (value: unknown) => JSON.stringify(value);
const bySuffix = (outcome: ShadowOutcome) => Object.fromEntries(outcome.messages.map((m) => [m.suffix, m.payload]));
const t = T0 / 1000;

describe('shadow update', () => {
  it('accepts a first update: accepted echoes what was sent with metadata, delta and documents follow', async () => {
    const { svc } = await service();
    const outcome = await svc.update(lamp, json({ state: { desired: { color: 'red', power: { on: true } } }, clientToken: 'c1' }));
    expect(outcome.accepted).toBe(true);
    expect(outcome.messages.map((m) => m.suffix)).toEqual(['update/accepted', 'update/delta', 'update/documents']);
    const m = bySuffix(outcome);
    expect(m['update/accepted']).toEqual({
      state: { desired: { color: 'red', power: { on: true } } },
      metadata: { desired: { color: { timestamp: t }, power: { on: { timestamp: t } } } },
      version: 1, timestamp: t, clientToken: 'c1',
    });
    expect(m['update/delta']).toEqual({
      version: 1, timestamp: t, state: { color: 'red', power: { on: true } },
      metadata: { color: { timestamp: t }, power: { on: { timestamp: t } } }, clientToken: 'c1',
    });
    expect(m['update/documents']).toEqual({
      previous: null,
      current: { state: { desired: { color: 'red', power: { on: true } } }, metadata: { desired: { color: { timestamp: t }, power: { on: { timestamp: t } } } }, version: 1 },
      timestamp: t, clientToken: 'c1',
    });
  });

  it('merges, deletes keys with null, keeps per-leaf timestamps, and narrows the delta as reported catches up', async () => {
    const { svc, tick } = await service();
    await svc.update(lamp, json({ state: { desired: { color: 'red', level: 5, tags: ['a', 'b'] } } }));
    tick(10);
    const reported = bySuffix(await svc.update(lamp, json({ state: { reported: { color: 'red', level: 3, extra: 1, tags: ['a'] } } })));
    // A reported-only update publishes no delta.
    expect(reported['update/delta']).toBeUndefined();
    expect((reported['update/documents'] as { previous: { version: number } }).previous.version).toBe(1);
    tick(10);
    const got = bySuffix(await svc.get(lamp, json({ clientToken: 'g' })))['get/accepted'];
    expect(got).toEqual({
      state: {
        desired: { color: 'red', level: 5, tags: ['a', 'b'] },
        reported: { color: 'red', level: 3, extra: 1, tags: ['a'] },
        delta: { level: 5, tags: ['a', 'b'] }, // reported-only keys excluded; arrays compared whole
      },
      metadata: {
        desired: { color: { timestamp: t }, level: { timestamp: t }, tags: [{ timestamp: t }, { timestamp: t }] },
        reported: { color: { timestamp: t + 10 }, level: { timestamp: t + 10 }, extra: { timestamp: t + 10 }, tags: [{ timestamp: t + 10 }] },
      },
      version: 2, timestamp: t + 20, clientToken: 'g',
    });
    const deleted = bySuffix(await svc.update(lamp, json({ state: { desired: { level: null, color: 'blue' } } })));
    expect(deleted['update/accepted']).toMatchObject({ state: { desired: { level: null, color: 'blue' } }, metadata: { desired: { level: { timestamp: t + 20 }, color: { timestamp: t + 20 } } }, version: 3 });
    expect(deleted['update/delta']).toEqual({ version: 3, timestamp: t + 20, state: { color: 'blue', tags: ['a', 'b'] }, metadata: { color: { timestamp: t + 20 }, tags: [{ timestamp: t }, { timestamp: t }] } });
    const current = (deleted['update/documents'] as { current: { state: object; metadata: { desired: object } } }).current;
    expect(current.state).toEqual({ desired: { color: 'blue', tags: ['a', 'b'] }, reported: { color: 'red', level: 3, extra: 1, tags: ['a'] } });
    expect(current.metadata.desired).toEqual({ color: { timestamp: t + 20 }, tags: [{ timestamp: t }, { timestamp: t }] });
  });

  it('keeps nested paths in the delta and drops a section set to null', async () => {
    const { svc } = await service();
    await svc.update(lamp, json({ state: { reported: { led: { r: 1, g: 2 }, fw: '1.0' } } }));
    const m = bySuffix(await svc.update(lamp, json({ state: { desired: { led: { r: 1, g: 9 }, fw: '1.0' } } })));
    expect((m['update/delta'] as { state: object }).state).toEqual({ led: { g: 9 } });
    const cleared = bySuffix(await svc.update(lamp, json({ state: { desired: null } })));
    expect(cleared['update/delta']).toBeUndefined();
    expect((cleared['update/documents'] as { current: { state: object } }).current.state).toEqual({ reported: { led: { r: 1, g: 2 }, fw: '1.0' } });
    const got = bySuffix(await svc.get(lamp))['get/accepted'] as { state: object };
    expect(got.state).toEqual({ reported: { led: { r: 1, g: 2 }, fw: '1.0' } });
  });

  it('applies a versioned update only at the stored version, else 409 Version conflict', async () => {
    const { svc } = await service();
    await svc.update(lamp, json({ state: { reported: { a: 1 } } }));
    const conflict = await svc.update(lamp, json({ state: { reported: { a: 2 } }, version: 5, clientToken: 'v' }));
    expect(conflict.accepted).toBe(false);
    expect(conflict.messages).toEqual([{ suffix: 'update/rejected', payload: { code: 409, message: 'Version conflict', timestamp: t, clientToken: 'v' } }]);
    const ok = await svc.update(lamp, json({ state: { reported: { a: 2 } }, version: 1 }));
    expect(bySuffix(ok)['update/accepted']).toMatchObject({ version: 2 });
  });

  const rejected = async (payload: string | Uint8Array) => {
    const { svc } = await service();
    const outcome = await svc.update(lamp, payload);
    expect(outcome.accepted).toBe(false);
    expect(outcome.messages).toHaveLength(1);
    expect(outcome.messages[0]!.suffix).toBe('update/rejected');
    return outcome.messages[0]!.payload as { code: number; message: string; clientToken?: string };
  };

  it.each([
    ['{"state":', 400, 'Invalid JSON'],
    ['[1,2]', 400, 'Invalid JSON'],
    ['{"clientToken":"x"}', 400, 'Missing required node: state'],
    ['{"state":[]}', 400, 'State node must be an object'],
    ['{"state":null}', 400, 'State node must be an object'],
    ['{"state":{"desired":5}}', 400, 'Desired node must be an object'],
    ['{"state":{"reported":"x"}}', 400, 'Reported node must be an object'],
    ['{"state":{"delta":{}}}', 400, 'State contains an invalid node'],
    ['{"state":{"desired":{"a":[1,null]}}}', 400, 'State contains an invalid node'],
    ['{"state":{"desired":{}},"version":"1"}', 400, 'Invalid version'],
    ['{"state":{"desired":{}},"version":1.5}', 400, 'Invalid version'],
    [json({ state: { desired: {} }, clientToken: 'x'.repeat(65) }), 400, 'Invalid clientToken'],
    ['{"state":{"desired":{}},"clientToken":7}', 400, 'Invalid clientToken'],
    [json({ state: { desired: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } } }), 400, 'JSON contains too many levels of nesting; maximum is 6'],
    [json({ state: { reported: { big: 'x'.repeat(8 * 1024) } } }), 413, 'Payload too large'],
  ])('rejects %s with %i %s', async (payload, code, message) => {
    const body = await rejected(payload);
    expect(body).toMatchObject({ code, message, timestamp: t });
  });

  it('accepts six levels of nesting and a state of exactly 8 KB', async () => {
    const { svc } = await service();
    expect((await svc.update(lamp, json({ state: { desired: { a: { b: { c: { d: { e: { f: 1 } } } } } } } }))).accepted).toBe(true);
    const overhead = Buffer.byteLength(json({ big: '' }));
    const { svc: other } = await service();
    expect((await other.update(lamp, json({ state: { desired: { big: 'x'.repeat(8192 - overhead) } } }))).accepted).toBe(true);
    expect((await other.update(lamp, json({ state: { reported: { b: 1 } } }))).accepted).toBe(false); // the sum now exceeds 8 KB
  });

  it('rejects a payload that is not UTF-8 with 415 and echoes a valid clientToken on errors', async () => {
    expect(await rejected(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({ code: 415, message: 'Unsupported documented encoding' });
    expect(await rejected(json({ clientToken: 'tok', state: 1 }))).toEqual({ code: 400, message: 'State node must be an object', timestamp: t, clientToken: 'tok' });
  });
});

describe('shadow get and delete', () => {
  it('404s a missing shadow, classic and named', async () => {
    const { svc } = await service();
    expect((await svc.get(lamp)).messages).toEqual([{ suffix: 'get/rejected', payload: { code: 404, message: "No shadow exists with name: 'lamp'", timestamp: t } }]);
    expect((await svc.delete({ thingName: 'lamp', shadowName: 'cfg' }, json({ clientToken: 'd' }))).messages).toEqual([
      { suffix: 'delete/rejected', payload: { code: 404, message: "No shadow exists with name: 'lamp~cfg'", timestamp: t, clientToken: 'd' } },
    ]);
  });

  it('deletes a shadow, keeps its version counter, and keeps named shadows apart from the classic one', async () => {
    const { svc } = await service();
    await svc.update(lamp, json({ state: { reported: { a: 1 } } }));
    await svc.update(lamp, json({ state: { reported: { a: 2 } } }));
    await svc.update({ thingName: 'lamp', shadowName: 'cfg' }, json({ state: { desired: { mode: 'eco' } } }));
    expect(bySuffix(await svc.delete(lamp, json({ clientToken: 'd' })))).toEqual({ 'delete/accepted': { version: 2, timestamp: t, clientToken: 'd' } });
    expect((await svc.get(lamp)).accepted).toBe(false);
    expect(await svc.listNamed('lamp')).toEqual(['cfg']);
    expect(bySuffix(await svc.get({ thingName: 'lamp', shadowName: 'cfg' }))['get/accepted']).toMatchObject({ state: { desired: { mode: 'eco' }, delta: { mode: 'eco' } }, version: 1 });
    const again = bySuffix(await svc.update(lamp, json({ state: { reported: { b: 1 } } })));
    expect(again['update/accepted']).toMatchObject({ version: 3 });
    expect((again['update/documents'] as { previous: unknown }).previous).toBeNull();
  });

  it('404s "Thing not found" for an unregistered thing when the registry is consulted', async () => {
    const { svc } = await service({ thingExists: async (name) => name === 'known' });
    expect((await svc.update(lamp, json({ state: { reported: { a: 1 } } }))).messages[0]!.payload).toMatchObject({ code: 404, message: 'Thing not found' });
    expect((await svc.update({ thingName: 'known' }, json({ state: { reported: { a: 1 } } }))).accepted).toBe(true);
  });
});
