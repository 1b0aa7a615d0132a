/**
 * A device scenario across the data services, engine-neutral so it runs alike on Node, on XS
 * and on the Espruino host (tests only): a button on the sim board is pressed (double, long,
 * single); each press is published as a button event and recorded as telemetry in JSON and in
 * CBOR batches; then a Device Defender report (CBOR) counts the presses. Time is the sim
 * device's, advanced 50 ms per promise turn; MQTT is the in-process router, with the Defender
 * responder as the service. `report` gets every message seen and the outcomes.
 */
import { createDevice, Digital, engineTimer, type Stimulus } from '../../firmware/hal/sim/index.js';
import { utf8Decode } from '../bytes.js';
import { Button } from '../buttons/index.js';
import { DefenderReporter } from '../defender/index.js';
import { DefenderResponder } from '../defender/responder.js';
import { connectionPair } from '../testing/router.js';
import { Telemetry } from './index.js';

export interface ScenarioResult {
  presses: string[];
  /** Every message on things/lamp/# and the Defender topics, in order: topic, then text or hex. */
  messages: string[];
  outcomes: string[];
}

const press = (down: number, up: number): Stimulus[] => [
  { at: down, pin: 0, level: 0 },
  { at: up, pin: 0, level: 1 },
];

function hex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return out;
}

export function runDeviceScenario(report: (result: ScenarioResult) => void): void {
  const device = createDevice({ stimuli: [{ at: 0, pin: 0, level: 1 }, ...press(1000, 1100), ...press(1250, 1350), ...press(2000, 3000), ...press(4000, 4100)] });
  const clock = () => 1763812345000 + device.time.now;
  const pair = connectionPair('lamp', 'cloud');
  new DefenderResponder(pair.service);
  const result: ScenarioResult = { presses: [], messages: [], outcomes: [] };
  const watch = pair.router.connect('watcher');
  for (const filter of ['things/lamp/#', '$aws/things/lamp/defender/#']) {
    watch.subscribe(filter, (m) => result.messages.push(`${m.topic} ${m.topic.indexOf('cbor') >= 0 ? hex(m.payload) : utf8Decode(m.payload)}`));
  }
  const json = new Telemetry(pair.device, { thingName: 'lamp', topic: 'things/lamp/telemetry/json', timer: engineTimer, clock, maxEntries: 3, maxDelayMs: 5000 });
  const cbor = new Telemetry(pair.device, { thingName: 'lamp', topic: 'things/lamp/telemetry/cbor', format: 'cbor', timer: engineTimer, clock, maxEntries: 2 });
  const button = new Button({
    name: 'boot', pin: 0, Digital, timer: engineTimer,
    onPress: (e) => {
      result.presses.push(`${e.at} ${e.press}`);
      json.record({ press: e.press });
      cbor.record({ press: e.press, at: e.at });
    },
    publish: { connection: pair.device, topic: 'things/lamp/buttons' },
  });
  const defender = new DefenderReporter(pair.device, {
    thingName: 'lamp', format: 'cbor', timer: engineTimer, clock,
    collect: () => ({ metrics: { listeningTcpPorts: [], tcpConnections: [{ remoteAddr: '10.0.0.1:8883', localPort: 50000 }] }, custom: { presses: { number: result.presses.length } } }),
  });

  let left = 3;
  const outcome = (what: string) => (error?: Error, value?: { reportId: number }) => {
    result.outcomes.push(error ? `${what}: ${error.message}` : value ? `${what}: accepted ${value.reportId}` : `${what}: done`);
    if (--left === 0) {
      button.close();
      void Promise.resolve().then(() => report(result));
    }
  };
  function tick(): void {
    if (device.time.now < 6000) {
      device.time.runUntil(device.time.now + 50);
      void Promise.resolve().then(tick);
      return;
    }
    json.flush(outcome('json flush'));
    cbor.flush(outcome('cbor flush'));
    defender.report(outcome('defender'));
  }
  tick();
}
