/** What the live feed (../live.ts) sends the page, one JSON message per WebSocket frame. */
import type { Connectivity } from '../../registry/connectivity.js';
import type { ShadowDocumentMessage } from './api.js';

export type LiveMessage =
  | { type: 'ready' }
  | { type: 'shadow'; thingName: string; shadowName?: string; document: ShadowDocumentMessage | null }
  | ({ type: 'connectivity' } & Connectivity)
  | { type: 'telemetry'; thingName: string; entries: { ts: number; m: Record<string, number | string | boolean> }[] };
