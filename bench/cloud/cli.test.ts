// `mote bench cloud` from the built CLI (run `npm run build` first).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../scripts/bin/mote.js', import.meta.url));
const mote = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('mote bench cloud', () => {
  it('prints the measurements as JSON, progress on stderr', () => {
    const run = mote('bench', 'cloud', '--clients', '2', '--messages', '20', '--points', '2000', '--queries', '2', '--json');
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('publishing 2 x 20 messages');
    const result = JSON.parse(run.stdout);
    expect(result.throughput.map((r: { path: string; messages: number }) => [r.path, r.messages])).toEqual([['broker alone', 40], ['rule into the store', 40]]);
    expect(result.queries.points).toBe(2000);
    expect(result.queries.rows).toHaveLength(3);
  }, 60_000);

  it('refuses a point count that does not split into its 20 series', () => {
    const run = mote('bench', 'cloud', '--points', '30');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--points must be a positive multiple of 20, got "30"');
  });
});
