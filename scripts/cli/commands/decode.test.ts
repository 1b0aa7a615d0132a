// `mote decode` through the built CLI: build a script that throws, then decode a trace of it.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const fixture = fileURLToPath(new URL('../../../firmware/build/espruino/fixtures/throws', import.meta.url));

function mote(cwd: string, args: string[], input?: string) {
  const child = spawnSync(process.execPath, [bin, ...args], { cwd, input, encoding: 'utf8', env: { ...process.env, MOTE_DEBUG: '' } });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('mote decode', () => {
  it('maps a trace from stdin to the TypeScript line, using the build folder', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'mote-decode-cli-'));
    cpSync(fixture, project, { recursive: true });
    expect(mote(project, ['build', 'main.ts', '--target', 'espruino', '--no-minify']).code).toBe(0);
    const code = readFileSync(path.join(project, 'build', 'main.js'), 'utf8');
    const lines = code.split('\n');
    const line = lines.findIndex((l) => l.includes('throw new Error(')) + 1;
    const column = lines[line - 1].indexOf('throw') + 1;
    const trace = `Uncaught Error: boom: value too large\n at check (:${line}:${column})\n`;
    const r = mote(project, ['decode'], trace);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`at check (:${line}:${column}) -> `);
    expect(r.stdout).toMatch(/-> [^\s]*main\.ts:3:\d+/);
    writeFileSync(path.join(project, 'trace.txt'), trace);
    const j = mote(project, ['decode', 'trace.txt', '--json']);
    expect(j.code).toBe(0);
    expect((JSON.parse(j.stdout) as { positions: { source: { line: number } }[] }).positions[0].source.line).toBe(3);
  });

  it('fails clearly when there is no build', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'mote-decode-none-'));
    const r = mote(empty, ['decode'], 'at f (:1:1)');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('mote: no source maps (*.js.map) in build: build first, or pass --map or --build\n');
  });
});
