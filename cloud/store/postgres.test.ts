// The store contract on PostgreSQL, against a server this file starts (Debian's postgresql).
// Fails when PostgreSQL is missing; MOTE_SKIP_PG=1 skips it on a machine without it.
import { afterAll, beforeAll, describe } from 'vitest';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { registryContract } from '../registry/registry.contract.js';
import { shadowContract } from '../shadow/shadow.contract.js';
import { databaseContract } from './database.contract.js';
import { openStore } from './open.js';

const skip = process.env.MOTE_SKIP_PG === '1';
if (skip) console.warn('MOTE_SKIP_PG=1: skipping the PostgreSQL store tests');

describe.skipIf(skip)('PostgreSQL store', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());

  const open = async () => openStore({ postgresUrl: await server.createDatabase() });
  databaseContract(open);
  registryContract(open);
  shadowContract(open);
});
