/**
 * `mote/sdk`: what firmware imports to reach the cloud. Each service takes an MqttConnection
 * (mqtt/connection.ts) and, for its blocking forms, the kernel; none imports a hardware port.
 */
export { awaitDone, type Outcome } from './wait.js';
export { utf8Decode, utf8Encode } from './bytes.js';
export type { Done, Message, MessageHandler, MqttConnection, Payload, PublishOptions, QoS } from './mqtt/connection.js';
export { awaitRequest, type Cancel, type ServiceError } from './request.js';
export * as shadow from './shadow/index.js';
export * as jobs from './jobs/index.js';
export * as ota from './ota/index.js';
export * as provisioning from './provisioning/index.js';
export * as mqtt from './mqtt/index.js';
export * as cbor from './cbor/index.js';
export * as telemetry from './telemetry/index.js';
export * as buttons from './buttons/index.js';
export * as defender from './defender/index.js';
