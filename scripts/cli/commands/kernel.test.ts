// The kernel and bench commands, through the built CLI (npm test builds dist/ first).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));

function mote(...args: string[]) {
  const child = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, MOTE_DEBUG: '' } });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('mote kernel', () => {
  it('lists the scenarios as JSON', () => {
    const { code, stdout } = mote('kernel', 'scenarios', '--json');
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { name: string; demo: string }[];
    expect(rows).toContainEqual({ name: 'example', demo: 'BlockQ.c' });
  });

  it('checks a scenario on both engines and prints the closing count', () => {
    const { code, stdout } = mote('kernel', 'check', 'example');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^node {2}preemptive {3}example \(BlockQ\.c\) +pass$/m);
    expect(stdout).toMatch(/^xs {4}cooperative {2}example \(BlockQ\.c\) +pass$/m);
    expect(stdout.trim().split('\n').pop()).toBe('4 passed, 0 failed');
  });

  it('prints a trace, cooperative mode on XS', () => {
    const { code, stdout } = mote('kernel', 'trace', 'example', '--cooperative', '--engine', 'xs', '--json');
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as { mode: string; engine: string; trace: string[] };
    expect(r.mode).toBe('cooperative');
    expect(r.engine).toBe('xs');
    expect(r.trace.slice(0, 3)).toEqual(['0 tx send 0', '0 tx sent 0', '0 rx 0']);
  });

  it('refuses an unknown scenario or engine with exit 2', () => {
    const a = mote('kernel', 'trace', 'nope');
    expect(a.code).toBe(2);
    expect(a.stderr).toBe("mote: unknown scenario \"nope\"; see 'mote kernel scenarios'\n");
    const b = mote('kernel', 'check', '--engine', 'v8');
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--engine must be node, xs or all, got "v8"');
  });
});

describe('mote bench', () => {
  it('refuses an unknown suite and a bad count with exit 2', () => {
    expect(mote('bench', 'nope').stderr).toContain('unknown bench suite "nope"; suites: kernel, build');
    const r = mote('bench', 'kernel', '--switches', '33');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--switches must be a positive multiple of 20');
  });

  it('reports switches per second and ratios on node and xs', () => {
    const { code, stdout } = mote('bench', 'kernel', '--switches', '2000', '--rounds', '1', '--json');
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as { engine: string; rows: { workload: string; switches: number; ratio: number; perSecond: number }[] }[];
    expect(results.map((r) => r.engine)).toEqual(['node', 'xs']);
    for (const r of results) {
      expect(r.rows[0].workload).toBe('hand-written state machine');
      expect(r.rows[0].ratio).toBe(1);
      for (const row of r.rows) {
        expect(row.switches).toBe(2000);
        expect(row.perSecond).toBeGreaterThan(0);
      }
    }
  });
});
