// The jobs service on SQLite (in memory); postgres.test.ts runs the same contract on PostgreSQL.
import { openStore } from '../store/open.js';
import { jobsContract } from './jobs.contract.js';

jobsContract(() => openStore({ memory: true }));
