// Telemetry time series on the embedded store (SQLite in memory).
import { telemetryContract } from './telemetry.contract.js';
import { openStore } from '../store/open.js';

telemetryContract(() => openStore({ memory: true }));
