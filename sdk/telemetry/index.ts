/** `telemetry` in `mote/sdk`: measurements batched to a topic as JSON or CBOR (format.ts documents the payload). */
export { Telemetry, flush, type TelemetryOptions, type TelemetryStats } from './telemetry.js';
export { decodeBatch, type Measurement, type Measurements, type TelemetryBatch, type TelemetryEntry, type TelemetryFormat } from './format.js';
