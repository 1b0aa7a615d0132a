// Event detectors and alarms on a real cloud: a device (MQTT.js over loopback) publishes
// temperatures, a topic rule feeds them to a detector input, and an operator's MQTT client sees
// the alarm, which is acknowledged over the HTTP API. Timers run on a ManualClock the test moves.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud, type CloudOptions } from '../cloud.js';
import { inbox, mqttClients } from '../testing/mqtt-client.js';
import { ManualClock } from './clock.js';

const clouds: Cloud[] = [];
const clients = mqttClients();
const dirs: string[] = [];
afterEach(async () => {
  await clients.closeAll();
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const T0 = 1_800_000_000_000;

/** Normal -> Overheated above 30 (alarm, fan on, 5-minute timer); back below 26 -> Normal; still hot after 5 minutes -> Stuck. */
const overheat = {
  name: 'overheat',
  key: 'thing',
  inputs: { Temp: { attributes: ['thing', 'temperature'] } },
  initialState: 'Normal',
  states: [
    { stateName: 'Normal', onInput: { transitions: [{ condition: '$input.Temp.temperature > 30', nextState: 'Overheated' }] } },
    {
      stateName: 'Overheated',
      onEnter: {
        events: [{
          actions: [
            { setVariable: { variableName: 'thing', value: '$input.Temp.thing' } },
            { setVariable: { variableName: 'peak', value: '$input.Temp.temperature' } },
            { raiseAlarm: { alarmName: 'temperature', severity: 3, message: '${$input.Temp.thing} is at ${$input.Temp.temperature} C' } },
            { setShadow: { section: 'desired', state: { fan: "'on'", target: '$input.Temp.temperature - 10' } } },
            { setTimer: { timerName: 'cooldown', seconds: 300 } },
          ],
        }],
      },
      onInput: {
        // Hotter: the alarm says so (an acknowledged alarm stays acknowledged).
        events: [{
          condition: '$input.Temp.temperature > $variable.peak',
          actions: [
            { setVariable: { variableName: 'peak', value: '$input.Temp.temperature' } },
            { raiseAlarm: { alarmName: 'temperature', severity: 4, message: '${$input.Temp.thing} is at ${$input.Temp.temperature} C' } },
          ],
        }],
        transitions: [
          { condition: '$input.Temp.temperature < 26', nextState: 'Normal', actions: [{ clearAlarm: { alarmName: 'temperature' } }, { clearTimer: { timerName: 'cooldown' } }] },
          { condition: "timeout('cooldown')", nextState: 'Stuck', actions: [{ republish: { topic: 'ops/${$variable.thing}/stuck', payload: '{"peak": ${$variable.peak}}', qos: 1 } }] },
        ],
      },
    },
    { stateName: 'Stuck', onInput: { transitions: [{ condition: '$input.Temp.temperature < 26', nextState: 'Normal', actions: [{ clearAlarm: { alarmName: 'temperature' } }] }] } },
  ],
};

async function setUp(options: { clock?: ManualClock; store?: CloudOptions['store'] } = {}) {
  const clock = options.clock ?? new ManualClock(T0);
  const cloud = await startCloud({ store: options.store ?? { memory: true }, mqttPort: 0, wsPort: null, httpPort: 0, mqttsPort: null, eventsClock: clock });
  clouds.push(cloud);
  const token = cloud.newAdminToken ?? (await cloud.adminToken.rotate());
  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(cloud.api!.url + url, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }; // eslint-disable-line @typescript-eslint/no-unsafe-assignment -- JSON of several shapes
  };
  return { cloud, clock, call };
}

/** The device `lamp` and an operator `ops` who may watch alarms and ops/ topics. */
async function connectClients(cloud: Cloud) {
  for (const thingName of ['lamp', 'ops']) if (!(await cloud.registry.things.find(thingName))) await cloud.registry.things.create({ thingName });
  const lamp = await cloud.registry.principals.createToken('lamp');
  const ops = await cloud.registry.principals.createToken('ops');
  await cloud.policies.create('operator', { Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'client/ops' },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: ['topicfilter/$aws/events/alarms/*', 'topicfilter/$mote/alarms', 'topicfilter/ops/*'] },
    { Effect: 'Allow', Action: 'iot:Receive', Resource: ['topic/$aws/events/alarms/*', 'topic/$mote/alarms', 'topic/ops/*'] },
  ] });
  await cloud.policies.attach('operator', ops.tokenId);
  const device = await clients.connect(cloud.broker.urls.mqtt, { clientId: 'lamp', username: 'lamp', password: lamp.token });
  const deviceBox = inbox(device);
  await device.subscribeAsync('$aws/things/lamp/shadow/update/delta', { qos: 1 });
  const operator = await clients.connect(cloud.broker.urls.mqtt, { clientId: 'ops', username: 'ops', password: ops.token });
  const opsBox = inbox(operator);
  await operator.subscribeAsync(['$aws/events/alarms/+/+', '$mote/alarms', 'ops/#'], { qos: 1 });
  return { device, deviceBox, opsBox };
}

describe('event detectors', () => {
  it('takes device messages through a rule, raises an alarm seen on MQTT, and follows it through acknowledge, clear and latch', async () => {
    const { cloud, call } = await setUp();
    expect((await call('POST', '/events/detector-models', overheat)).status).toBe(200);
    expect((await call('POST', '/rules', { ruleName: 'temps', sql: "SELECT topic(2) AS thing, temperature FROM 'things/+/temp'", actions: [{ iotEvents: { inputName: 'Temp' } }] })).status).toBe(201);
    const { device, deviceBox, opsBox } = await connectClients(cloud);
    const temperature = (t: number) => device.publishAsync('things/lamp/temp', JSON.stringify({ temperature: t }), { qos: 1 });

    await temperature(22);
    await temperature(35);
    const raised = { model: 'overheat', key: 'lamp', name: 'temperature', state: 'ACTIVE', severity: 3, message: 'lamp is at 35 C', updatedAt: T0 };
    expect(await opsBox.next('$aws/events/alarms/overheat/lamp')).toEqual(raised);
    expect(await opsBox.next('$mote/alarms')).toEqual(raised);
    // setShadow wrote the desired state, and the device heard the delta.
    expect(await deviceBox.next('$aws/things/lamp/shadow/update/delta')).toMatchObject({ state: { fan: 'on', target: 25 } });
    expect((await call('GET', '/alarms')).body).toEqual({ alarms: [raised] });
    const detectors = (await call('GET', '/events/detectors?model=overheat')).body;
    expect(detectors).toEqual({ detectors: [{
      model: 'overheat', key: 'lamp', state: 'Overheated', variables: { thing: 'lamp', peak: 35 },
      timers: [{ timerName: 'cooldown', deadline: T0 + 300_000, seconds: 300 }], updatedAt: T0,
    }] });

    // Acknowledged over the API, with a note: published as well.
    const acknowledged = await call('POST', '/alarms/overheat/lamp/temperature/acknowledge', { note: 'fan checked' });
    expect(acknowledged).toEqual({ status: 200, body: { ...raised, state: 'ACKNOWLEDGED', note: 'fan checked' } });
    expect(await opsBox.next('$aws/events/alarms/overheat/lamp')).toEqual({ ...raised, state: 'ACKNOWLEDGED', note: 'fan checked' });
    // Hotter still: the alarm stays acknowledged, with the new message.
    await temperature(38);
    expect(await opsBox.next('$aws/events/alarms/overheat/lamp')).toEqual({ ...raised, state: 'ACKNOWLEDGED', severity: 4, message: 'lamp is at 38 C', note: 'fan checked' });
    // Back to normal: cleared, acknowledging it now is a conflict.
    await temperature(24);
    expect(await opsBox.next('$aws/events/alarms/overheat/lamp')).toMatchObject({ state: 'NORMAL' });
    expect((await call('POST', '/alarms/overheat/lamp/temperature/acknowledge', {})).status).toBe(409);

    // Raised and cleared without anyone acknowledging: LATCHED until an operator does.
    await temperature(31);
    expect(await opsBox.next('$aws/events/alarms/overheat/lamp')).toMatchObject({ state: 'ACTIVE', message: 'lamp is at 31 C' });
    await temperature(20);
    expect(await opsBox.next('$aws/events/alarms/overheat/lamp')).toMatchObject({ state: 'LATCHED' });
    expect((await call('GET', '/alarms?state=LATCHED')).body.alarms).toHaveLength(1);
    expect((await call('GET', '/alarms?state=ACTIVE')).body).toEqual({ alarms: [] });
    expect((await call('POST', '/alarms/overheat/lamp/temperature/acknowledge')).body).toMatchObject({ state: 'NORMAL' });
    const history = (await call('GET', '/alarms/overheat/lamp/temperature/history')).body.history as { state: string }[];
    expect(history.map((h) => h.state)).toEqual(['ACTIVE', 'ACKNOWLEDGED', 'ACKNOWLEDGED', 'NORMAL', 'ACTIVE', 'LATCHED', 'NORMAL']);
    expect((await call('POST', '/alarms/overheat/nobody/temperature/acknowledge')).status).toBe(404);
    expect((await call('GET', '/alarms?state=LOUD')).status).toBe(400);
  });

  it('fires timers on the clock: a detector still hot after 5 minutes moves on and republishes', async () => {
    const { cloud, clock, call } = await setUp();
    await call('POST', '/events/detector-models', overheat);
    const { opsBox } = await connectClients(cloud);
    expect((await call('POST', '/events/inputs/Temp', { thing: 'lamp', temperature: 33 })).body).toEqual({ results: [{ model: 'overheat', key: 'lamp', state: 'Overheated' }] });
    clock.advance(60_000);
    await call('POST', '/events/inputs/Temp', { thing: 'lamp', temperature: 36 });
    clock.advance(239_999);
    await cloud.events.idle();
    expect((await call('GET', '/events/detectors')).body.detectors[0].state).toBe('Overheated');
    clock.advance(1);
    await cloud.events.idle();
    expect(await opsBox.next('ops/lamp/stuck')).toEqual({ peak: 36 });
    expect((await call('GET', '/events/detectors')).body.detectors[0]).toMatchObject({ state: 'Stuck', timers: [] });
    // A cleared timer never fires.
    await call('POST', '/events/inputs/Temp', { thing: 'lamp', temperature: 20 });
    await call('POST', '/events/inputs/Temp', { thing: 'lamp', temperature: 40 });
    await call('POST', '/events/inputs/Temp', { thing: 'lamp', temperature: 21 });
    clock.advance(600_000);
    await cloud.events.idle();
    expect((await call('GET', '/events/detectors')).body.detectors[0].state).toBe('Normal');
  });

  it('refuses a malformed model with the position of the bad condition, and messages an input cannot take', async () => {
    const { call } = await setUp();
    const bad = structuredClone(overheat);
    bad.states[0]!.onInput!.transitions[0]!.condition = '$input.Temp.temperature > 30 &&';
    const refused = await call('POST', '/events/detector-models', bad);
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([{ path: 'body.states.0.onInput.transitions.0.condition', message: "1:32: expected a value, $input, $variable, a function call or '(', found the end of the expression" }]);
    expect((await call('GET', '/events/detector-models')).body).toEqual({ detectorModels: [] });

    await call('POST', '/events/detector-models', overheat);
    expect((await call('GET', '/events/detector-models/overheat')).body).toMatchObject({ name: 'overheat', createdAt: T0, updatedAt: T0 });
    expect((await call('POST', '/events/inputs/Humidity', { thing: 'lamp', h: 3 })).status).toBe(404);
    const missing = await call('POST', '/events/inputs/Temp', { thing: 'lamp' });
    expect(missing).toMatchObject({ status: 400, body: { message: "input Temp of model overheat: the message has no attribute 'temperature'" } });
    expect((await call('POST', '/events/inputs/Temp', { thing: 'a/b', temperature: 1 })).body.message).toMatch(/the key 'thing' must be a string or number/);
    expect((await call('GET', '/events/detectors')).body).toEqual({ detectors: [] });
    expect((await call('DELETE', '/events/detector-models/overheat')).status).toBe(204);
    expect((await call('GET', '/events/detector-models/overheat')).status).toBe(404);
  });

  it("reports a rule's message an input refuses to the rule's error action", async () => {
    const { cloud, call } = await setUp();
    await call('POST', '/events/detector-models', overheat);
    // Without a temperature the input refuses the message; the error action gets AWS's error message.
    await call('POST', '/rules', {
      ruleName: 'no_temps', sql: "SELECT topic(2) AS thing FROM 'things/+/hello'",
      actions: [{ iotEvents: { inputName: 'Temp' } }], errorAction: { republish: { topic: 'ops/errors' } },
    });
    const { device, opsBox } = await connectClients(cloud);
    await device.publishAsync('things/lamp/hello', '{}', { qos: 1 });
    expect(await opsBox.next('ops/errors')).toMatchObject({
      ruleName: 'no_temps',
      failures: [{ failedAction: 'IotEventsAction', failedResource: 'Temp', errorMessage: "input Temp of model overheat: the message has no attribute 'temperature'" }],
    });
    // A number is a key value too; thing 7 is not registered, so its shadow cannot be set: that
    // action fails, the others run.
    expect((await call('POST', '/events/inputs/Temp', { thing: 7, temperature: 50 })).body).toEqual({
      results: [{ model: 'overheat', key: '7', state: 'Overheated', failures: ['setShadow: shadow of 7: Thing not found'] }],
    });
    expect((await call('GET', '/alarms')).body.alarms).toMatchObject([{ key: '7', state: 'ACTIVE', message: '7 is at 50 C' }]);
  });

  it('keeps the detectors of a replaced model; one in a state the new model lacks starts again', async () => {
    const { clock, call } = await setUp();
    await call('POST', '/events/detector-models', overheat);
    await call('POST', '/events/inputs/Temp', { thing: 'lamp', temperature: 35 });
    await call('POST', '/events/inputs/Temp', { thing: 'fan', temperature: 20 });
    clock.advance(1000);
    // Version 2 has no Overheated state: above 30 it counts instead.
    const counting = {
      ...overheat,
      states: [{
        stateName: 'Normal',
        onEnter: { events: [{ actions: [{ setVariable: { variableName: 'hot', value: '0' } }] }] },
        onInput: { events: [{ condition: '$input.Temp.temperature > 30', actions: [{ setVariable: { variableName: 'hot', value: '$variable.hot + 1' } }] }] },
      }],
    };
    const replaced = await call('POST', '/events/detector-models', counting);
    expect(replaced.body).toMatchObject({ createdAt: T0, updatedAt: T0 + 1000 });
    expect((await call('POST', '/events/inputs/Temp', { thing: 'lamp', temperature: 40 })).body.results).toEqual([{ model: 'overheat', key: 'lamp', state: 'Normal' }]);
    expect((await call('POST', '/events/inputs/Temp', { thing: 'fan', temperature: 40 })).body.results).toEqual([{ model: 'overheat', key: 'fan', state: 'Normal' }]);
    const detectors = (await call('GET', '/events/detectors')).body.detectors as { key: string; variables: Record<string, unknown> }[];
    // lamp started again (onEnter ran: hot = 0, then + 1); fan stayed in Normal and never ran onEnter.
    expect(detectors.map((d) => [d.key, d.variables.hot])).toEqual([['fan', undefined], ['lamp', 1]]);
  });

  it('keeps detectors, timers and alarms across a restart (file-backed SQLite)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mote-events-'));
    dirs.push(dataDir);
    const first = await setUp({ store: { dataDir } });
    await first.call('POST', '/events/detector-models', overheat);
    await first.call('POST', '/events/inputs/Temp', { thing: 'lamp', temperature: 34 });
    await first.cloud.close();
    clouds.splice(clouds.indexOf(first.cloud), 1);

    // Back 100 s later: the 300 s timer has 200 s left.
    const clock = new ManualClock(T0 + 100_000);
    const { cloud, call } = await setUp({ store: { dataDir }, clock });
    expect((await call('GET', '/alarms')).body.alarms).toMatchObject([{ state: 'ACTIVE', message: 'lamp is at 34 C' }]);
    expect((await call('GET', '/events/detectors')).body.detectors).toMatchObject([{ state: 'Overheated', variables: { thing: 'lamp', peak: 34 }, timers: [{ timerName: 'cooldown', deadline: T0 + 300_000 }] }]);
    clock.advance(199_999);
    await cloud.events.idle();
    expect((await call('GET', '/events/detectors')).body.detectors[0].state).toBe('Overheated');
    clock.advance(1);
    await cloud.events.idle();
    expect((await call('GET', '/events/detectors')).body.detectors[0].state).toBe('Stuck');
  });
});
