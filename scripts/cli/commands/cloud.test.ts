// `mote cloud` through the built CLI (npm test builds dist/ first): a device added with
// add-device connects to the running cloud and uses its shadow, one added with --cert over mutual
// TLS; the HTTP API answers with the
// admin token printed at first start, and admin-token replaces it; SIGINT stops it cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { Mosquitto } from '../../../test/mosquitto.js';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mote-cloud-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('mote cloud', () => {
  it('adds a device, runs, serves the shadow to it, and stops on SIGINT', async () => {
    const added = spawnSync(process.execPath, [bin, 'cloud', 'add-device', 'lamp', '--data-dir', dataDir, '--json'], { encoding: 'utf8' });
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const device = JSON.parse(added.stdout) as { thingName: string; created: boolean; token: string };
    expect(device).toMatchObject({ thingName: 'lamp', created: true });

    const certDir = path.join(dataDir, 'certs');
    const withCert = spawnSync(process.execPath, [bin, 'cloud', 'add-device', 'sensor', '--cert', certDir, '--data-dir', dataDir, '--json'], { encoding: 'utf8' });
    expect(withCert.stderr).toBe('');
    const sensor = JSON.parse(withCert.stdout) as { certificateId: string; files: { certificate: string; privateKey: string; ca: string } };
    expect(sensor.files).toEqual({ certificate: path.join(certDir, 'sensor.cert.pem'), privateKey: path.join(certDir, 'sensor.private.key'), ca: path.join(certDir, 'ca.pem') });
    expect(statSync(sensor.files.privateKey).mode & 0o777).toBe(0o600);

    const child = spawn(process.execPath, [bin, 'cloud', '--data-dir', dataDir, '--mqtt-port', '0', '--ws-port', '0', '--mqtts-port', '0', '--http-port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const firstLines: string[] = [];
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      firstLines.push(line);
      if (line === '}') break;
    }
    const listening = JSON.parse(firstLines.join('\n')) as { mqtt: string; ws: string; mqtts: string; http: string; openapi: string; store: string; adminToken: string };
    expect(listening.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(listening.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(listening.openapi).toBe(`${listening.http}/openapi.json`);
    expect(listening.store).toBe(path.join(dataDir, 'mote-cloud.sqlite'));
    expect(listening.adminToken).toMatch(/^mote-admin\./);

    // The certificate device connects over mutual TLS.
    const secure = await mqtt.connectAsync(listening.mqtts, { clientId: 'sensor', key: readFileSync(sensor.files.privateKey), cert: readFileSync(sensor.files.certificate), ca: readFileSync(sensor.files.ca), reconnectPeriod: 0 });
    await secure.endAsync();

    const things = (token: string) => fetch(`${listening.http}/things`, { headers: { authorization: `Bearer ${token}` } });
    expect(await (await things(listening.adminToken)).json()).toMatchObject({ things: [{ thingName: 'lamp' }, { thingName: 'sensor' }] });
    const rotated = spawnSync(process.execPath, [bin, 'cloud', 'admin-token', '--data-dir', dataDir, '--json'], { encoding: 'utf8' });
    expect(rotated.status).toBe(0);
    const { adminToken } = JSON.parse(rotated.stdout) as { adminToken: string };
    expect((await things(listening.adminToken)).status).toBe(401);
    expect((await things(adminToken)).status).toBe(200);

    const client = await mqtt.connectAsync(listening.mqtt, { clientId: 'lamp', username: 'lamp', password: device.token, reconnectPeriod: 0 });
    const accepted = new Promise<Record<string, unknown>>((resolve) => client.on('message', (_t, p) => resolve(JSON.parse(p.toString()))));
    await client.subscribeAsync('$aws/things/lamp/shadow/update/accepted', { qos: 1 });
    await client.publishAsync('$aws/things/lamp/shadow/update', '{"state":{"reported":{"on":true}}}', { qos: 1 });
    expect(await accepted).toMatchObject({ state: { reported: { on: true } }, version: 1 });
    await client.endAsync();

    // A refused connection shows up in the log on stderr.
    await expect(mqtt.connectAsync(listening.mqtt, { clientId: 'lamp', username: 'lamp', password: 'tok-0.bad', reconnectPeriod: 0 })).rejects.toThrow();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const events = stderr.trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(events).toEqual([{ event: 'connect-refused', clientId: 'lamp', reason: 'device token unknown' }, { event: 'stopped', signal: 'SIGINT' }]);

    const again = spawnSync(process.execPath, [bin, 'cloud', 'add-device', 'lamp', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(again.stdout).toMatch(/^existing thing lamp; device token \(shown once\):\ntok-[0-9a-f]{16}\.\S+\n/);
  }, 30_000);

  it('sets up fleet provisioning: a template from a file and a claim certificate', () => {
    const file = path.join(dataDir, 'lamps.json');
    writeFileSync(file, JSON.stringify({ Parameters: { Serial: { Type: 'String' } }, Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'Serial' } } } } }));
    const added = spawnSync(process.execPath, [bin, 'cloud', 'add-template', 'Lamps', file, '--enable', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(added.stdout).toBe('provisioning template Lamps created, enabled\n');
    const claimDir = path.join(dataDir, 'claim');
    const claim = spawnSync(process.execPath, [bin, 'cloud', 'claim-certificate', 'Lamps', '--cert', claimDir, '--data-dir', dataDir, '--json'], { encoding: 'utf8' });
    expect(claim.status).toBe(0);
    expect(JSON.parse(claim.stdout)).toMatchObject({ policyName: 'Lamps-claim', files: { certificate: path.join(claimDir, 'Lamps-claim.cert.pem'), privateKey: path.join(claimDir, 'Lamps-claim.private.key') } });
    expect(readFileSync(path.join(claimDir, 'ca.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);

    writeFileSync(file, '{"Resources": {}}');
    const bad = spawnSync(process.execPath, [bin, 'cloud', 'add-template', 'Empty', file, '--data-dir', dataDir], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('mote: templateBody: Resources: a template needs an AWS::IoT::Thing\n');
  });

  it('runs a worker on an external broker (Mosquitto), serving shadows, until SIGINT', async () => {
    const mosquitto = await Mosquitto.start();
    try {
      const added = spawnSync(process.execPath, [bin, 'cloud', 'add-device', 'worker-lamp', '--data-dir', dataDir], { encoding: 'utf8' });
      expect(added.status).toBe(0);
      const url = `mqtt://127.0.0.1:${mosquitto.port}`;
      const child = spawn(process.execPath, [bin, 'cloud', 'worker', '--broker', url, '--partition', '0/1', '--data-dir', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stdout })) {
        lines.push(line);
        if (line === '}') break;
      }
      expect(JSON.parse(lines.join('\n'))).toEqual({ broker: url, group: 'mote', partition: '0/1', services: ['shadow', 'telemetry'] });
      const device = await mqtt.connectAsync(url, { clientId: 'worker-lamp', reconnectPeriod: 0 });
      const accepted = new Promise<Record<string, unknown>>((resolve) => device.on('message', (_t, p) => resolve(JSON.parse(p.toString()))));
      await device.subscribeAsync('$aws/things/worker-lamp/shadow/update/accepted', { qos: 1 });
      await device.publishAsync('$aws/things/worker-lamp/shadow/update', '{"state":{"reported":{"up":1}}}', { qos: 1 });
      expect(await accepted).toMatchObject({ state: { reported: { up: 1 } }, version: 1 });
      await device.endAsync();
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      await mosquitto.stop();
    }
    const bad = spawnSync(process.execPath, [bin, 'cloud', 'worker', '--broker', 'mqtt://127.0.0.1:1', '--partition', '2/2', '--data-dir', dataDir], { encoding: 'utf8' });
    expect([bad.status, bad.stderr]).toEqual([2, "mote: --partition must be i/n with 0 <= i < n (e.g. 0/2), not '2/2'\n"]);
  }, 30_000);

  it('reports a bad port as a usage error', () => {
    const child = spawnSync(process.execPath, [bin, 'cloud', '--mqtt-port', 'x', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stderr).toBe("mote: --mqtt-port must be a port number (0-65535), not 'x'\n");
  });
});
