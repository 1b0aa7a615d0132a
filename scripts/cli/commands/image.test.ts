// `mote image info`, through the built CLI (npm test builds dist/ first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chipById } from '../../lib/esp-chip/index.js';
import { serializeAppImage, serializePartitionTable } from '../../lib/esp-image/index.js';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-image-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mote(...args: string[]) {
  const child = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

const app = path.join(dir, 'app.bin');
writeFileSync(app, serializeAppImage({ chip: chipById('esp32s3'), entry: 0x40375000, segments: [{ loadAddress: 0x3c000020, data: Buffer.alloc(64, 7) }], hashAppended: true }));

describe('mote image info', () => {
  it('describes an app image, and as JSON', () => {
    const text = mote('image', 'info', app, '--board', 'esp32-s3-devkitc-1');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(0, 5)).toEqual([
      'app image for the ESP32-S3 (chip id 9), entry 0x40375000',
      '  flash: dio, 4MB, frequency code 0x0',
      '  1 segments:',
      '    0  load 0x3c000020        64 bytes  at file offset 0x20',
      '  checksum 0xef ok',
    ]);
    const json = JSON.parse(mote('image', 'info', app, '--json').stdout) as { kind: string; chipId: number; sha256: string };
    expect(json).toMatchObject({ kind: 'app', chipId: 9 });
    expect(json.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an image for another chip, and a damaged one', () => {
    const wrong = mote('image', 'info', 'app.bin', '--chip', 'esp32c3');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('mote: app.bin: image is built for the ESP32-S3 (chip id 9), not the ESP32-C3 (chip id 5)\n');
    writeFileSync(path.join(dir, 'cut.bin'), serializeAppImage({ chip: chipById('esp32'), entry: 0, segments: [{ loadAddress: 0, data: Buffer.alloc(64) }] }).subarray(0, 40));
    expect(mote('image', 'info', 'cut.bin').stderr).toBe('mote: cut.bin: segment 0 (64 bytes at byte 32) runs past the end of the 40-byte image\n');
    expect(mote('image', 'info', 'none.bin').stderr).toBe('mote: cannot read none.bin: ENOENT\n');
    expect(mote('image', 'info', 'app.bin', '--chip', 'esp8266').code).toBe(2);
  });

  it('describes a partition table', () => {
    const table = path.join(dir, 'partitions.bin');
    writeFileSync(table, serializePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000, encrypted: false, readonly: false }]));
    const { code, stdout } = mote('image', 'info', table);
    expect(code).toBe(0);
    expect(stdout).toBe('partition table, 1 entries, MD5 ok\n  label             type  subtype   offset    size\n  factory           app   factory   0x10000   0x100000\n');
  });
});
