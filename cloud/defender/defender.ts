/**
 * Device Defender in mote cloud: the audit (audit.ts) over the registry, the policies and what the
 * broker observed (observations.ts). The cloud feeds it the broker's security log and binds it to
 * the bus.
 */
import type { SecurityEvent } from '../broker/authorizer.js';
import type { MessageBus } from '../bus.js';
import type { Policies } from '../policy/policies.js';
import type { Database } from '../store/database.js';
import { runAudit, type AuditReport } from './audit.js';
import { SecurityObservations } from './observations.js';

export class Defender {
  readonly observed = new SecurityObservations();

  constructor(
    private readonly db: Database,
    private readonly policies: Policies,
  ) {}

  bind(bus: MessageBus): void {
    this.observed.watch(bus);
  }

  /** The broker's security log goes through here. */
  readonly onSecurityEvent = (event: SecurityEvent): void => this.observed.record(event);

  audit(): Promise<AuditReport> {
    return runAudit(this.db, this.policies, this.observed);
  }
}
