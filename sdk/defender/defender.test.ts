import { Decoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { createDevice, engineTimer } from '../../firmware/hal/sim/index.js';
import { Kernel, VirtualClock } from '../../firmware/kernel/index.js';
import { encodeCbor, type CborValue } from '../cbor/index.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { ServiceError } from '../request.js';
import { connectionPair, type TestRouter } from '../testing/router.js';
import { DefenderResponder } from './responder.js';
import { buildReport, DefenderReporter, report, type DefenderOptions, type DeviceMetrics, type ReportAccepted } from './index.js';

const cborxOptions = { int64AsNumber: true, mapsAsObjects: true }; // int64AsNumber is missing from cbor-x's types
const cborx = new Decoder(cborxOptions);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const metrics: DeviceMetrics = {
  listeningTcpPorts: [{ port: 443, interface: 'st0' }, { port: 80 }],
  listeningUdpPorts: [{ port: 5353 }],
  networkStats: { bytesIn: 29358693495, bytesOut: 26485035, packetsIn: 10013573555, packetsOut: 11382615 },
  tcpConnections: [{ remoteAddr: '10.0.0.2:8883', localPort: 50123, localInterface: 'st0' }],
};

describe('the device metrics report document', () => {
  it('uses the short keys, byte for byte in JSON', () => {
    const doc = buildReport(1763812345, metrics, { heap_free: { number: 81234 }, tasks: { string_list: ['mqtt', 'ui'] }, rssi: { number_list: [-61, -60] }, peers: { ip_list: ['10.0.0.2'] } });
    expect(JSON.stringify(doc)).toBe(
      '{"hed":{"rid":1763812345,"v":"1.0"},' +
        '"met":{"tp":{"pts":[{"pt":443,"if":"st0"},{"pt":80}],"t":2},"up":{"pts":[{"pt":5353}],"t":1},' +
        '"ns":{"bi":29358693495,"bo":26485035,"pi":10013573555,"po":11382615},' +
        '"tc":{"ec":{"cs":[{"rad":"10.0.0.2:8883","lp":50123,"li":"st0"}],"t":1}}},' +
        '"cmet":{"heap_free":[{"number":81234}],"tasks":[{"string_list":["mqtt","ui"]}],"rssi":[{"number_list":[-61,-60]}],"peers":[{"ip_list":["10.0.0.2"]}]}}',
    );
    expect(cborx.decode(encodeCbor(doc as CborValue))).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('leaves out what the device does not supply', () => {
    expect(buildReport(7, { networkStats: { bytesIn: 1, bytesOut: 2, packetsIn: 3, packetsOut: 4 } }, undefined)).toEqual({ hed: { rid: 7, v: '1.0' }, met: { ns: { bi: 1, bo: 2, pi: 3, po: 4 } } });
    expect(buildReport(8, undefined, { up: { number: 1 } })).toEqual({ hed: { rid: 8, v: '1.0' }, cmet: { up: [{ number: 1 }] } });
    expect(buildReport(9, { listeningTcpPorts: [] }, {})).toEqual({ hed: { rid: 9, v: '1.0' }, met: { tp: { pts: [], t: 0 } } });
  });

  it('refuses what AWS would refuse, naming it', () => {
    expect(() => buildReport(1, {}, {})).toThrow('defender: a report needs metrics, custom metrics or both');
    expect(() => buildReport(1.5, undefined, { a: { number: 1 } })).toThrow('defender: report id must be a non-negative integer, not 1.5');
    expect(() => buildReport(1, { listeningTcpPorts: [{ port: 70000 }] }, undefined)).toThrow('defender: listeningTcpPorts[0].port must be a port number (0-65535), not 70000');
    expect(() => buildReport(1, { tcpConnections: [{ remoteAddr: '10.0.0.2' }] }, undefined)).toThrow('defender: tcpConnections[0].remoteAddr must be "ip:port", not "10.0.0.2"');
    expect(() => buildReport(1, { networkStats: { bytesIn: -1, bytesOut: 0, packetsIn: 0, packetsOut: 0 } }, undefined)).toThrow('defender: networkStats.bytesIn must be a non-negative integer, not -1');
    expect(() => buildReport(1, undefined, { 'bad name': { number: 1 } })).toThrow('defender: custom metric name must be 1-128 letters');
    expect(() => buildReport(1, undefined, { a: { number: NaN } })).toThrow('defender: custom metric "a" must be one of');
    expect(() => buildReport(1, undefined, { a: { number: 1, number_list: [1] } as never })).toThrow('defender: custom metric "a" must be one of');
    expect(() => buildReport(1, undefined, { a: { string_list: [1] } as never })).toThrow('defender: custom metric "a" must be one of');
  });
});

async function setup(options: Partial<DefenderOptions> = {}) {
  const device = createDevice();
  const pair = connectionPair('lamp', 'aws');
  const service = new DefenderResponder(pair.service);
  await settle();
  let clock = 1_763_812_345_000;
  const reporter = new DefenderReporter(pair.device, { thingName: 'lamp', timer: engineTimer, clock: () => clock, collect: () => ({ metrics }), ...options });
  return { device, router: pair.router, connection: pair.device, service, reporter, setClock: (ms: number) => (clock = ms) };
}

function call(reporter: DefenderReporter): Promise<{ error?: ServiceError; accepted?: ReportAccepted }> {
  return new Promise((resolve) => reporter.report((error, accepted) => resolve({ error: error as ServiceError, accepted })));
}

const topicsOf = (router: TestRouter) => router.log.map((m) => m.topic);

describe('DefenderReporter against a Device Defender responder', () => {
  it('JSON: subscribes the answers, then publishes the report; the acceptance comes back', async () => {
    const s = await setup();
    const result = await call(s.reporter);
    expect(result).toEqual({ error: undefined, accepted: { thingName: 'lamp', reportId: 1763812345, status: 'ACCEPTED', timestamp: 1763812400 } });
    expect(s.router.filtersOf(s.connection)).toEqual(['$aws/things/lamp/defender/metrics/json/accepted', '$aws/things/lamp/defender/metrics/json/rejected']);
    expect(topicsOf(s.router)).toEqual(['$aws/things/lamp/defender/metrics/json', '$aws/things/lamp/defender/metrics/json/accepted']);
    expect(s.service.reports[0]!.document).toEqual(JSON.parse(JSON.stringify(buildReport(1763812345, metrics, undefined))));
  });

  it('CBOR: report and answer travel as CBOR', async () => {
    const s = await setup({ format: 'cbor', collect: () => ({ custom: { heap_free: { number: 1234 } } }) });
    const result = await call(s.reporter);
    expect(result.accepted?.status).toBe('ACCEPTED');
    expect(s.service.reports).toEqual([{ format: 'cbor', document: { hed: { rid: 1763812345, v: '1.0' }, cmet: { heap_free: [{ number: 1234 }] } } }]);
    expect(cborx.decode(s.router.log[1]!.payload)).toMatchObject({ status: 'ACCEPTED', reportId: 1763812345 });
  });

  it('report ids increase even when the clock has not moved; a repeated id would be rejected', async () => {
    const s = await setup();
    const first = await call(s.reporter);
    const second = await call(s.reporter);
    expect([first.accepted?.reportId, second.accepted?.reportId]).toEqual([1763812345, 1763812346]);
    s.setClock(1_763_812_999_000);
    expect((await call(s.reporter)).accepted?.reportId).toBe(1763812999);
  });

  it('a rejection is a ServiceError with AWS ErrorCode and ErrorMessage', async () => {
    const s = await setup();
    // A second reporter for the same thing restarts its ids: the service has seen this one.
    await call(s.reporter);
    const again = new DefenderReporter(s.router.connect('lamp-2'), { thingName: 'lamp', timer: engineTimer, clock: () => 1_763_812_345_000, collect: () => ({ metrics }) });
    const result = await call(again);
    expect(result.error?.code).toBe('InvalidPayload');
    expect(result.error?.message).toBe('defender: report 1763812345 rejected: InvalidPayload: Duplicate report id');
    expect((result.error?.response as { status: string }).status).toBe('REJECTED');
  });

  it('metrics AWS would refuse fail at once and nothing is published', async () => {
    const s = await setup({ collect: () => ({ metrics: { listeningUdpPorts: [{ port: -1 }] } }) });
    const result = await call(s.reporter);
    expect(result.error?.message).toBe('defender: listeningUdpPorts[0].port must be a port number (0-65535), not -1');
    expect(s.router.log).toEqual([]);
  });

  it('answers to other reports are ignored; a cancelled report gets no callback', async () => {
    const s = await setup();
    const outcomes: unknown[] = [];
    s.router.drop = (topic) => topic.endsWith('/accepted');
    const cancel = s.reporter.report((error) => outcomes.push(error ?? 'accepted'));
    await settle();
    cancel();
    s.router.drop = undefined;
    // Someone publishes an acceptance for a report id this reporter never sent.
    s.router.connect('other').publish('$aws/things/lamp/defender/metrics/json/accepted', JSON.stringify({ thingName: 'lamp', reportId: 42, status: 'ACCEPTED', timestamp: 1 }));
    await settle();
    expect(outcomes).toEqual([]);
    expect((await call(s.reporter)).accepted?.reportId).toBe(1763812346);
  });

  it('start() reports every periodMs (at least 5 minutes) and stop() ends it', async () => {
    const s = await setup();
    const outcomes: (number | string)[] = [];
    const periodic = new DefenderReporter(s.router.connect('lamp-p'), {
      thingName: 'lamp', timer: engineTimer, clock: () => 1_700_000_000_000 + s.device.time.now, collect: () => ({ metrics }),
      onReport: (error, accepted) => outcomes.push(error ? error.message : accepted!.reportId),
    });
    periodic.start();
    s.device.time.runUntil(299_999);
    await settle();
    expect(outcomes).toEqual([]);
    s.device.time.runUntil(300_000);
    await settle();
    s.device.time.runUntil(600_000);
    await settle();
    expect(outcomes).toEqual([1_700_000_300, 1_700_000_600]);
    periodic.stop();
    s.device.time.runUntil(1_200_000);
    await settle();
    expect(outcomes).toHaveLength(2);
    expect(() => new DefenderReporter(s.router.connect('y'), { thingName: 'lamp', timer: engineTimer, collect: () => ({}), periodMs: 60_000 })).toThrow('defender: periodMs must be at least 300000');
    expect(() => new DefenderReporter(s.router.connect('y'), { thingName: 'a/b', timer: engineTimer, collect: () => ({}) })).toThrow('defender: thingName must be 1-128');
  });

  it('a refused subscription fails the report', async () => {
    createDevice();
    const pair = connectionPair();
    const refusing: MqttConnection = { ...pair.device, clientId: 'x', connected: true, publish: pair.device.publish.bind(pair.device), unsubscribe: () => undefined, subscribe: (_f, _h, _o, done) => done && done(new Error('SUBACK 0x80')) };
    const reporter = new DefenderReporter(refusing, { thingName: 'lamp', timer: engineTimer, collect: () => ({ metrics }) });
    const result = await call(reporter);
    expect(result.error?.message).toBe('defender: subscribing to $aws/things/lamp/defender/metrics/json/accepted failed: SUBACK 0x80');
  });

  it('the blocking form: a task reports and gets the acceptance, or a timeout when no answer comes', async () => {
    const s = await setup();
    const kernel = new Kernel({ preemption: true });
    const clock = new VirtualClock(kernel);
    const log: string[] = [];
    kernel.createTask('defender', 2, function* () {
      const sent = yield* report(kernel, s.reporter, 100);
      log.push(sent.ok ? `accepted ${sent.value.reportId}` : sent.error.message);
      s.router.drop = (topic) => topic.endsWith('/accepted');
      const lost = yield* report(kernel, s.reporter, 10);
      log.push(lost.ok ? 'accepted' : lost.error.message);
      yield* kernel.suspend();
    });
    clock.start();
    for (let i = 0; i < 10 && log.length < 1; i++) await settle();
    await settle();
    clock.advance(10);
    expect(log).toEqual(['accepted 1763812345', 'timed out']);
  });
});
