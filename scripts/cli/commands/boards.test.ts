// `mote boards`, through the built CLI (npm test builds dist/ first).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));

function mote(...args: string[]) {
  const child = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('mote boards', () => {
  it('lists the boards and the ports as JSON', () => {
    const { code, stdout } = mote('boards', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { boards: { id: string; chip: string; detected: boolean }[]; ports: unknown[]; note?: string };
    expect(result.boards.map((b) => b.id)).toEqual(['esp32-c3-devkitm-1', 'esp32-c6-devkitc-1', 'esp32-devkitc', 'esp32-s2-saola-1', 'esp32-s3-devkitc-1']);
    expect(Array.isArray(result.ports)).toBe(true);
    // Without a board plugged in nothing is detected (CI machines have no USB serial ports).
    if (result.ports.length === 0) expect(result.boards.every((b) => !b.detected)).toBe(true);
  });

  it('prints a table', () => {
    const { code, stdout } = mote('boards');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^ {2}board +chip +flash +engines +usb$/);
    expect(lines).toContain('  esp32-devkitc         esp32    4MB    espruino,moddable  10c4:ea60 1a86:55d4');
  });
});
