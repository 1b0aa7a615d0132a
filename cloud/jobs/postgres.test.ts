// The jobs service on PostgreSQL, against a server this file starts (Debian's postgresql): the
// same contract jobs.test.ts runs on SQLite. MOTE_SKIP_PG=1 skips it.
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore } from '../store/open.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { jobsContract } from './jobs.contract.js';

const skip = process.env.MOTE_SKIP_PG === '1';

describe.skipIf(skip)('jobs on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());

  jobsContract(async () => openStore({ postgresUrl: await server.createDatabase() }));
});
