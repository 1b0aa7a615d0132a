/** What the live feed (../live.ts) sends the page, one JSON message per WebSocket frame. */
import type { Connectivity } from '../../registry/connectivity.js';
import type { Alarm, ShadowDocumentMessage, Violation } from './api.js';

export type LiveMessage =
  | { type: 'ready' }
  | { type: 'shadow'; thingName: string; shadowName?: string; document: ShadowDocumentMessage | null }
  | ({ type: 'connectivity' } & Connectivity)
  | { type: 'telemetry'; thingName: string; entries: { ts: number; m: Record<string, number | string | boolean> }[] }
  /** Something in a job changed (an execution's status or progress, a job added, ended or cancelled); without jobId, any of the thing's jobs. */
  | { type: 'job'; jobId?: string; thingName?: string }
  | { type: 'violation'; violation: Violation }
  | { type: 'alarm'; alarm: Alarm };
