/** AWS IoT Device Shadow: the client (get/update/delete, delta and documents) and the typed local mirror. */
export {
  ShadowClient, shadowTopic, type DeleteAccepted, type JsonObject, type JsonValue, type Metadata, type ShadowClientOptions,
  type ShadowDelta, type ShadowDocument, type ShadowDocuments, type ShadowState, type ShadowUpdate, type UpdateAccepted,
} from './client.js';
export { ShadowMirror, type DesiredHandler, type MirrorOptions } from './mirror.js';
