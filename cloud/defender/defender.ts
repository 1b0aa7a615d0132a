/**
 * Device Defender in mote cloud: the audit (audit.ts) over the registry, the policies and what the
 * broker observed (observations.ts), and detect: devices' metrics reports checked against
 * static-threshold behaviours (metrics.ts, behaviors.ts). The cloud feeds it the broker's security
 * log and binds it to the bus.
 */
import type { SecurityEvent } from '../broker/authorizer.js';
import type { MessageBus } from '../bus.js';
import type { Policies } from '../policy/policies.js';
import type { Database } from '../store/database.js';
import { runAudit, type AuditReport } from './audit.js';
import { DeviceMetrics } from './metrics.js';
import { SecurityObservations } from './observations.js';

export class Defender {
  readonly observed = new SecurityObservations();
  readonly metrics = new DeviceMetrics();

  constructor(
    private readonly db: Database,
    private readonly policies: Policies,
  ) {}

  bind(bus: MessageBus, onError: (error: Error) => void): void {
    this.observed.watch(bus);
    this.metrics.bind(bus, onError);
  }

  /** The broker's security log goes through here. */
  readonly onSecurityEvent = (event: SecurityEvent): void => this.observed.record(event);

  audit(): Promise<AuditReport> {
    return runAudit(this.db, this.policies, this.observed);
  }
}
