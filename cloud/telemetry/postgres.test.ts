// Telemetry time series on PostgreSQL, against a server this file starts (Debian's postgresql).
// Fails when PostgreSQL is missing; MOTE_SKIP_PG=1 skips it on a machine without it.
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore } from '../store/open.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { telemetryContract } from './telemetry.contract.js';

const skip = process.env.MOTE_SKIP_PG === '1';

describe.skipIf(skip)('telemetry on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());

  telemetryContract(async () => openStore({ postgresUrl: await server.createDatabase() }));
});
