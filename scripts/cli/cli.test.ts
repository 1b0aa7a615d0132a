// End-to-end tests of the built CLI: they spawn `node scripts/bin/mote.js` as a user would.
// They need the build in dist/ (`npm test` builds before running vitest).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../bin/mote.js', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

function mote(...args: string[]) {
  const child = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, MOTE_DEBUG: '' },
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('mote (built CLI)', () => {
  beforeAll(() => {
    if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
      throw new Error("dist/cli/main.js is missing: run 'npm run build' first (npm test does)");
    }
  });

  it('is the package bin', () => {
    expect(pkg.bin.mote).toBe('scripts/bin/mote.js');
  });

  it('--help describes the program and lists its commands', () => {
    const { code, stdout, stderr } = mote('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: mote /);
    expect(stdout).toContain('Commands:');
    expect(stdout).toContain('help [command]');
    expect(stderr).toBe('');
  });

  it('--version prints the package version', () => {
    const { code, stdout } = mote('--version');
    expect(code).toBe(0);
    expect(stdout).toBe(`${pkg.version}\n`);
  });

  it('an unknown command exits 2 with one line on stderr', () => {
    const { code, stdout, stderr } = mote('frobnicate');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("mote: unknown command 'frobnicate' (see 'mote --help')\n");
  });

  it('an unknown option exits 2 with one line on stderr', () => {
    const { code, stderr } = mote('--frobnicate');
    expect(code).toBe(2);
    expect(stderr).toBe("mote: unknown option '--frobnicate' (see 'mote --help')\n");
  });

  it('no arguments prints help on stderr and exits 2', () => {
    const { code, stdout, stderr } = mote();
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: mote/);
  });
});
