// The device's shadow client and mirror against mote's REAL cloud shadow service
// (cloud/shadow: ShadowService on an in-memory SQLite store, bound by bindShadowService), over the
// in-process connection pair: every byte the device sends is parsed and answered by the cloud.
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageBus } from '../../cloud/bus.js';
import { bindShadowService } from '../../cloud/shadow/mqtt.js';
import { ShadowService } from '../../cloud/shadow/service.js';
import { openStore } from '../../cloud/store/open.js';
import type { Database } from '../../cloud/store/database.js';
import { Kernel, VirtualClock } from '../../firmware/kernel/index.js';
import { utf8Decode } from '../bytes.js';
import { connectionPair, type TestConnection, type TestRouter } from '../testing/router.js';
import { ShadowClient, type ShadowDelta, type ShadowDocuments, type UpdateAccepted } from './client.js';
import { ShadowMirror } from './mirror.js';
import { call, until } from '../../test/sdk-calls.js';

/** The cloud's MessageBus over the service side of the pair. */
function busOver(connection: TestConnection): MessageBus {
  return {
    subscribe: (filter, handler) => connection.subscribe(filter, (m) => handler(m.topic, Buffer.from(m.payload), { clientId: 'device', sessionId: 's1' })),
    publish: (topic, payload, options) =>
      new Promise((resolve, reject) => connection.publish(topic, typeof payload === 'string' ? payload : new Uint8Array(payload), options, (e) => (e ? reject(e) : resolve()))),
  };
}

let db: Database | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

async function cloud() {
  db = await openStore({ memory: true });
  const pair = connectionPair();
  const errors: Error[] = [];
  bindShadowService(busOver(pair.service), new ShadowService(db), (e) => errors.push(e));
  return { ...pair, errors };
}



const published = (router: TestRouter, suffix: string) =>
  router.log.filter((m) => m.topic.endsWith(suffix)).map((m) => JSON.parse(utf8Decode(m.payload)) as Record<string, unknown>);

describe('ShadowClient against the cloud shadow service', () => {
  it('get of a shadow that does not exist fails with 404 and AWS message; update creates it; get returns state, delta and version', async () => {
    const { device } = await cloud();
    const lamp = new ShadowClient(device, { thingName: 'lamp' });
    const missing = await call(lamp.get.bind(lamp));
    expect(missing.error?.code).toBe(404);
    expect(missing.error?.message).toBe("No shadow exists with name: 'lamp'");

    const updated = await call<UpdateAccepted>((d) => lamp.update({ state: { desired: { color: 'red' }, reported: { color: 'blue', on: true } } }, d));
    expect(updated.error).toBeUndefined();
    expect(updated.value).toMatchObject({ state: { desired: { color: 'red' }, reported: { color: 'blue', on: true } }, version: 1 });
    expect(typeof updated.value?.clientToken).toBe('string');

    const got = await call(lamp.get.bind(lamp));
    expect(got.value?.state).toEqual({ desired: { color: 'red' }, reported: { color: 'blue', on: true }, delta: { color: 'red' } });
    expect(got.value?.version).toBe(1);
    expect(got.value?.metadata.reported).toMatchObject({ on: { timestamp: expect.any(Number) } });
  });

  it('an update naming a stale version is refused with 409 Version conflict and changes nothing', async () => {
    const { device } = await cloud();
    const lamp = new ShadowClient(device, { thingName: 'lamp' });
    await call<UpdateAccepted>((d) => lamp.update({ state: { reported: { level: 1 } } }, d));
    await call<UpdateAccepted>((d) => lamp.update({ state: { reported: { level: 2 } } }, d));
    const stale = await call<UpdateAccepted>((d) => lamp.update({ state: { reported: { level: 9 } }, version: 1 }, d));
    expect(stale.error?.code).toBe(409);
    expect(stale.error?.message).toBe('Version conflict');
    expect(stale.error?.response).toMatchObject({ code: 409, message: 'Version conflict', clientToken: expect.any(String) });
    const current = await call<UpdateAccepted>((d) => lamp.update({ state: { reported: { level: 3 } }, version: 2 }, d));
    expect(current.value?.version).toBe(3);
    expect((await call(lamp.get.bind(lamp))).value?.state.reported).toEqual({ level: 3 });
  });

  it('null deletes a key and a whole section; AWS 400 refusals surface with their code', async () => {
    const { device } = await cloud();
    const lamp = new ShadowClient(device, { thingName: 'lamp' });
    await call<UpdateAccepted>((d) => lamp.update({ state: { desired: { a: 1 }, reported: { a: 1, b: { x: 1, y: 2 } } } }, d));
    await call<UpdateAccepted>((d) => lamp.update({ state: { reported: { b: { y: null } } } }, d));
    expect((await call(lamp.get.bind(lamp))).value?.state.reported).toEqual({ a: 1, b: { x: 1 } });
    await call<UpdateAccepted>((d) => lamp.update({ state: { desired: null } }, d));
    expect((await call(lamp.get.bind(lamp))).value?.state).toEqual({ reported: { a: 1, b: { x: 1 } } });
    const bad = await call<UpdateAccepted>((d) => lamp.update({ state: { reported: { list: [1, null] } } } as never, d));
    expect(bad.error?.code).toBe(400);
    expect(bad.error?.message).toBe('State contains an invalid node');
  });

  it('named shadows are separate documents on their own topics; delete keeps the version counter', async () => {
    const { device, router } = await cloud();
    const classic = new ShadowClient(device, { thingName: 'lamp' });
    const config = new ShadowClient(device, { thingName: 'lamp', shadowName: 'config' });
    expect(config.topic).toBe('$aws/things/lamp/shadow/name/config');
    await call((d) => classic.update({ state: { reported: { on: true } } }, d));
    await call<UpdateAccepted>((d) => config.update({ state: { reported: { interval: 60 } } }, d));
    await call<UpdateAccepted>((d) => config.update({ state: { reported: { interval: 30 } } }, d));
    expect(router.log.some((m) => m.topic === '$aws/things/lamp/shadow/name/config/update/accepted')).toBe(true);
    expect((await call(classic.get.bind(classic))).value).toMatchObject({ state: { reported: { on: true } }, version: 1 });

    const deleted = await call(config.delete.bind(config));
    expect(deleted.value).toMatchObject({ version: 2 });
    const gone = await call(config.get.bind(config));
    expect(gone.error?.code).toBe(404);
    expect(gone.error?.message).toBe("No shadow exists with name: 'lamp~config'");
    expect((await call<UpdateAccepted>((d) => config.update({ state: { reported: { interval: 5 } } }, d))).value?.version).toBe(3);
    expect((await call(classic.get.bind(classic))).value?.version).toBe(1);
  });

  it('onDelta and onDocuments follow updates made by someone else', async () => {
    const { device, router } = await cloud();
    const app = new ShadowClient(router.connect('app'), { thingName: 'lamp' });
    const lamp = new ShadowClient(device, { thingName: 'lamp' });
    const deltas: ShadowDelta[] = [];
    const documents: ShadowDocuments[] = [];
    await call<void>((d) => lamp.onDelta((x) => deltas.push(x), d));
    const stop = lamp.onDocuments((x) => documents.push(x));
    await call((d) => app.update({ state: { desired: { led: { r: 1, g: 2 } } } }, d));
    await until(() => deltas.length === 1 && documents.length === 1, 'delta and documents');
    expect(deltas[0]).toMatchObject({ state: { led: { r: 1, g: 2 } }, version: 1 });
    expect(documents[0]).toMatchObject({ previous: null, current: { version: 1 } });
    stop();
    await call((d) => app.update({ state: { desired: { led: { r: 1, g: 3 } }, reported: { led: { r: 1, g: 2 } } } }, d));
    await until(() => deltas.length === 2, 'second delta');
    expect(deltas[1]!.state).toEqual({ led: { g: 3 } });
    expect(documents).toHaveLength(1);
  });

  it('answers are matched by clientToken: concurrent requests from two clients each get their own', async () => {
    const { device, router } = await cloud();
    const a = new ShadowClient(device, { thingName: 'lamp' });
    const b = new ShadowClient(device, { thingName: 'lamp' });
    const results = await Promise.all([
      call<UpdateAccepted>((d) => a.update({ state: { reported: { from: 'a' } } }, d)),
      call<UpdateAccepted>((d) => b.update({ state: { reported: { from: 'b' } } }, d)),
      call<UpdateAccepted>((d) => a.update({ state: { reported: { n: 1 } } }, d)),
    ]);
    expect(results.map((r) => r.value?.state.reported)).toEqual([{ from: 'a' }, { from: 'b' }, { n: 1 }]);
    const tokens = published(router, '/update').map((m) => m.clientToken as string);
    expect(new Set(tokens).size).toBe(3);
    for (const t of tokens) expect(new TextEncoder().encode(t).length).toBeLessThanOrEqual(64);
  });

  it('more than 10 requests in flight fail at once with 429 rather than being sent', async () => {
    const { device, router } = await cloud();
    const lamp = new ShadowClient(device, { thingName: 'lamp' });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => call<UpdateAccepted>((d) => lamp.update({ state: { reported: { i } } }, d))));
    expect(results.filter((r) => r.error?.code === 429)).toHaveLength(2);
    expect(results.filter((r) => r.value)).toHaveLength(10);
    expect(published(router, '/shadow/update')).toHaveLength(10);
  });

  it('refuses bad thing and shadow names before sending anything', () => {
    const { device } = connectionPair();
    expect(() => new ShadowClient(device, { thingName: 'a/b' })).toThrow(/thing name/);
    expect(() => new ShadowClient(device, { thingName: 'lamp', shadowName: 'x'.repeat(65) })).toThrow(/shadow name/);
  });
});

describe('blocking forms in a task', () => {
  it('a task updates and reads the shadow; a request with no answer times out and its late answer is dropped', async () => {
    const { device, router } = await cloud();
    const kernel = new Kernel({ preemption: true });
    const clock = new VirtualClock(kernel);
    const lamp = new ShadowClient(device, { thingName: 'lamp' });
    const log: string[] = [];
    let finished = false;
    kernel.createTask('shadow', 2, function* () {
      const updated = yield* lamp.updateBlocking(kernel, { state: { reported: { on: true } } }, 100);
      log.push(updated.ok ? `updated v${updated.value.version}` : updated.error.message);
      const got = yield* lamp.getBlocking(kernel, 100);
      log.push(got.ok ? `got ${JSON.stringify(got.value.state)}` : got.error.message);
      router.drop = (topic) => topic.endsWith('/get/accepted');
      const lost = yield* lamp.getBlocking(kernel, 10);
      log.push(lost.ok ? 'answered' : lost.error.message);
      finished = true;
      yield* kernel.suspend();
    });
    clock.start();
    await until(() => log.length === 2, 'update and get');
    await until(() => router.log.filter((m) => m.topic.endsWith('/get/accepted')).length === 2, 'the dropped answer');
    clock.advance(10);
    expect(finished).toBe(true);
    expect(log).toEqual(['updated v1', 'got {"reported":{"on":true}}', 'timed out']);
  });
});

describe('ShadowMirror against the cloud shadow service', () => {
  it('syncs at start, applies deltas through per-key handlers, reports back only what changed, deletes with null', async () => {
    const { device, router } = await cloud();
    const app = new ShadowClient(router.connect('app'), { thingName: 'lamp' });
    // The app asked for things while the device was off.
    await call((d) => app.update({ state: { desired: { power: true, level: 50, mode: 'eco' } } }, d));
    await until(() => published(router, '/update/documents').length === 1, 'the first update to be done');
    const seen: unknown[] = [];
    const mirror = new ShadowMirror(new ShadowClient(device, { thingName: 'lamp' }), {
      reported: { power: false, level: 0, firmware: '1.0.0', led: { r: 0, g: 0 } },
      desired: {
        power: (on) => on,
        level: (level) => (seen.push(level), Math.min(level, 10)), // the hardware tops out at 10
        led: (led) => led,
      },
    });
    await call<void>((d) => mirror.start(d));
    expect(mirror.reported).toEqual({ power: true, level: 10, firmware: '1.0.0', led: { r: 0, g: 0 } });
    let got = (await call(app.get.bind(app))).value!;
    expect(got.state.reported).toEqual({ power: true, level: 10, firmware: '1.0.0', led: { r: 0, g: 0 } });
    expect(got.state.delta).toEqual({ level: 50, mode: 'eco' }); // clamped, and mode has no handler

    // A nested desired change reaches the handler as the whole object.
    await call((d) => app.update({ state: { desired: { led: { r: 0, g: 7 }, level: null } } }, d));
    await until(() => (mirror.reported.led as { g: number }).g === 7, 'led applied');
    await until(() => published(router, 'lamp/shadow/update/accepted').length === 4, 'report accepted');
    const reports = published(router, 'lamp/shadow/update').filter((m) => (m.state as { reported?: unknown }).reported);
    expect(reports.map((m) => m.state)).toEqual([
      { reported: { power: true, level: 10, firmware: '1.0.0', led: { r: 0, g: 0 } } },
      { reported: { led: { r: 0, g: 7 } } },
    ]);

    await call<void>((d) => mirror.set({ level: 3, firmware: '1.0.0' }, d));
    await call<void>((d) => mirror.remove('firmware', d));
    got = (await call(app.get.bind(app))).value!;
    expect(got.state.reported).toEqual({ power: true, level: 3, led: { r: 0, g: 7 } });
    expect(published(router, 'lamp/shadow/update').slice(-2).map((m) => m.state)).toEqual([{ reported: { level: 3 } }, { reported: { firmware: null } }]);
    expect(seen).toEqual([50]);
  });

  it('a delta older than the version already applied is ignored', async () => {
    const { device, router } = await cloud();
    const client = new ShadowClient(device, { thingName: 'lamp' });
    const mirror = new ShadowMirror(client, { reported: { level: 0 }, desired: { level: (v) => v } });
    await call<void>((d) => mirror.start(d));
    const app = new ShadowClient(router.connect('app'), { thingName: 'lamp' });
    await call((d) => app.update({ state: { desired: { level: 4 } } }, d));
    await until(() => mirror.reported.level === 4, 'delta applied');
    // Replay an old delta straight onto the device's topic.
    router.connect('replay').publish('$aws/things/lamp/shadow/update/delta', JSON.stringify({ state: { level: 1 }, metadata: {}, version: 1, timestamp: 0 }));
    await call((d) => app.get(d));
    expect(mirror.reported.level).toBe(4);
  });
});
