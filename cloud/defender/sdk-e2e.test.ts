// The device SDK's Defender reporter (sdk/defender, over the device MQTT client on the sim port's
// Node TCP) against mote cloud's Detect: the two sides, written separately from AWS's contract,
// meet on topics and payloads in JSON and CBOR, and the cloud's refusal reaches the SDK.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDevice, engineTimer, realTimer, TCP } from '../../firmware/hal/sim/node/index.js';
import { DefenderReporter, type ReportAccepted } from '../../sdk/defender/index.js';
import { MqttClient } from '../../sdk/mqtt/client/client.js';
import { call, until } from '../../test/sdk-calls.js';
import { startCloud } from '../cloud.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('Device Defender with the device SDK', () => {
  it('accepts the reporter\'s JSON and CBOR reports, refuses a repeated id, and raises the violation its metrics cause', async () => {
    const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: null });
    cleanup.push(() => cloud.close());
    await cloud.registry.things.create({ thingName: 'lamp' });
    const { token } = await cloud.registry.principals.createToken('lamp');
    await cloud.defender.setBehaviors([{ name: 'few-ports', metric: 'aws:listening-tcp-ports', comparisonOperator: 'greater-than', value: 1 }]);

    createDevice();
    const port = Number(new URL(cloud.broker.urls.mqtt).port);
    const client = new MqttClient({ clientId: 'lamp', transport: { TCP, host: '127.0.0.1', port }, timer: realTimer, username: 'lamp', password: token });
    cleanup.push(() => client.stop());
    client.start();
    await until(() => client.connected, 'connected');

    const metrics = { listeningTcpPorts: [{ port: 443 }, { port: 80 }], networkStats: { bytesIn: 1, bytesOut: 2, packetsIn: 3, packetsOut: 4 } };
    for (const format of ['json', 'cbor'] as const) {
      const reporter = new DefenderReporter(client, { thingName: 'lamp', format, timer: engineTimer, clock: () => (format === 'json' ? 1_763_812_345_000 : 1_763_812_400_000), collect: () => ({ metrics, custom: { heap_free: { number: 81234 } } }) });
      const done = await call<ReportAccepted>((d) => reporter.report(d));
      expect(done.error).toBeUndefined();
      expect(done.value).toEqual({ thingName: 'lamp', reportId: format === 'json' ? 1763812345 : 1763812400, status: 'ACCEPTED', timestamp: expect.any(Number) });
    }
    await vi.waitFor(async () => expect(await cloud.defender.violations.list({ thing: 'lamp', state: 'active' })).toMatchObject([{ behavior: 'few-ports', metric: 'aws:listening-tcp-ports', value: 2, threshold: '> 1' }]));

    // A second reporter restarting from the same clock repeats the first report id.
    const again = new DefenderReporter(client, { thingName: 'lamp', timer: engineTimer, clock: () => 1_763_812_345_000, collect: () => ({ metrics }) });
    const refused = await call<ReportAccepted>((d) => again.report(d));
    expect(refused.error?.message).toBe('defender: report 1763812345 rejected: InvalidPayload: duplicate report id 1763812345');
  });
});
