/**
 * Test support: a throwaway PostgreSQL server from the machine's installation (Debian's
 * `postgresql` package), in a temp directory on a free loopback port. PostgreSQL refuses to run
 * as root, so under root (CI) the server runs as the `postgres` user the package creates.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface PostgresServer {
  /** Connection string of a new, empty database on the server. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The folder holding initdb and postgres: $MOTE_PG_BIN, Debian's newest /usr/lib/postgresql/N/bin, or PATH. */
function binDir(): string {
  if (process.env.MOTE_PG_BIN) return process.env.MOTE_PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => existsSync(path.join(debian, v, 'bin', 'initdb')));
    versions.sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return path.join(debian, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (found) return path.dirname(found);
  throw new Error('PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH): apt-get install postgresql, or set MOTE_SKIP_PG=1 to skip these tests locally');
}

/** uid/gid to run the server as: ourselves, or `postgres` when we are root. */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  if (uid.status !== 0) throw new Error('running as root and there is no `postgres` user to run PostgreSQL as (Debian\'s postgresql package creates it)');
  return { uid: Number(uid.stdout), gid: Number(id('-g').stdout) };
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const user = serverUser();
  const root = mkdtempSync(path.join(os.tmpdir(), 'mote-pg-'));
  const data = path.join(root, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (user.uid !== undefined) {
    chownSync(root, user.uid, user.gid!);
    chownSync(data, user.uid, user.gid!);
  }
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'mote', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...user, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error?.message}`);

  const port = await freePort();
  const server: ChildProcess = spawn(
    path.join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off'],
    { ...user, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));

  const url = (db: string) => `postgres://mote@127.0.0.1:${port}/${db}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url('postgres') });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (server.exitCode !== null || Date.now() > deadline) {
        server.kill('SIGKILL');
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  let databases = 0;
  return {
    async createDatabase() {
      const name = `mote_test_${++databases}`;
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      server.kill('SIGINT'); // fast shutdown: ends sessions, no checkpoint wait
      await exited;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
