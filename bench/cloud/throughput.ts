/**
 * Cloud data-plane throughput: N MQTT clients (MQTT.js, each its own connection with its device
 * token) publish readings at QoS 1 to a cloud on a SQLite data directory, first with no rule (the
 * broker alone: the run ends when every message has reached the bus), then with a `SELECT ...
 * WHERE` rule whose telemetry action stores each reading (the run ends when every point is in
 * the store). Messages per second of both, and their ratio, show what the rule and the store cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { startCloud, type Cloud } from '../../cloud/cloud.js';
import { rulePayload, type RulePayload } from '../../cloud/rules/rule.js';

export interface ThroughputOptions {
  clients: number;
  /** Messages per client. */
  messages: number;
}

export interface ThroughputRow {
  path: 'broker alone' | 'rule into the store';
  messages: number;
  ms: number;
  perSecond: number;
  /** perSecond / the broker alone's. */
  ratio: number;
}

const T0 = 1_767_225_600_000;
const RULE = {
  sql: "SELECT 0 AS seq, 0 AS dropped, [{'ts': ts, 'm': {'temp': temp, 'hum': hum}}] AS entries FROM 'things/+/readings' WHERE temp > -100",
  actions: [{ telemetry: {} }],
};

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One run on a fresh cloud; resolves with the ms from the first publish to the last message handled. */
async function measure(options: ThroughputOptions, withRule: boolean): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mote-bench-cloud-'));
  const cloud: Cloud = await startCloud({ store: { dataDir }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: null });
  const clients: mqtt.MqttClient[] = [];
  try {
    if (withRule) await cloud.rules.create('bench', rulePayload.parse(RULE) as RulePayload);
    let onBus = 0;
    cloud.broker.bus.subscribe('things/+/readings', () => void onBus++);
    for (let i = 0; i < options.clients; i++) {
      const thingName = `bench-${i}`;
      await cloud.registry.things.create({ thingName });
      const { token } = await cloud.registry.principals.createToken(thingName);
      clients.push(await mqtt.connectAsync(cloud.broker.urls.mqtt, { clientId: thingName, username: thingName, password: token, reconnectPeriod: 0 }));
    }
    const total = options.clients * options.messages;
    const started = performance.now();
    await Promise.all(clients.map(async (client, c) => {
      const acks: Promise<unknown>[] = [];
      for (let i = 0; i < options.messages; i++) {
        const reading = { ts: T0 + i * 1000, temp: 20 + (i % 10), hum: 40 + (c % 5) };
        acks.push(client.publishAsync(`things/bench-${c}/readings`, JSON.stringify(reading), { qos: 1 }));
      }
      await Promise.all(acks);
    }));
    await until(() => onBus === total, 'the messages to reach the bus');
    if (withRule) {
      await until(async () => {
        await cloud.rules.idle();
        return (await cloud.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM telemetry_points'))!.n === total * 2;
      }, 'the rule to store every reading');
    }
    return performance.now() - started;
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runThroughputBench(options: ThroughputOptions): Promise<ThroughputRow[]> {
  const messages = options.clients * options.messages;
  const row = (name: ThroughputRow['path'], ms: number) => ({ path: name, messages, ms: Math.round(ms), perSecond: Math.round(messages / (ms / 1000)) });
  const alone = row('broker alone', await measure(options, false));
  const rule = row('rule into the store', await measure(options, true));
  return [{ ...alone, ratio: 1 }, { ...rule, ratio: rule.perSecond / alone.perSecond }];
}
