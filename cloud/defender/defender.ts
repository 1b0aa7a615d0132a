/**
 * Device Defender in mote cloud: the audit (audit.ts) over the registry, the policies and what the
 * broker observed (observations.ts), and detect: the security profile's behaviours (behaviors.ts,
 * kept in the store and applying to every registered thing) checked against devices' metrics
 * reports (metrics.ts) and against the cloud-side metrics the broker's hooks count
 * (cloud-metrics.ts), each ended window evaluated for the whole fleet at once so a statistical
 * threshold can take the fleet's percentile (baseline.ts); violations in violations.ts. The cloud
 * feeds it the broker's security log and activity, and binds it to the bus.
 */
import type { SecurityEvent } from '../broker/authorizer.js';
import type { MessageBus } from '../bus.js';
import type { Policies } from '../policy/policies.js';
import type { Database } from '../store/database.js';
import { runAudit, type AuditReport } from './audit.js';
import { percentile } from './baseline.js';
import { breaksLimit, isCloudBehavior, thresholdText, type Behavior } from './behaviors.js';
import { CloudMetrics, type EndedWindow } from './cloud-metrics.js';
import { DeviceMetrics } from './metrics.js';
import { SecurityObservations } from './observations.js';
import { Violations } from './violations.js';

export interface DefenderOptions {
  /** Epoch ms; windows and violation times follow it (tests move it by hand). Default Date.now. */
  clock?: () => number;
}

/** How often ended windows are looked for. */
const TICK_MS = 1000;

export class Defender {
  readonly observed = new SecurityObservations();
  readonly violations: Violations;
  readonly metrics: DeviceMetrics;
  /** The broker's activity meter. */
  readonly cloudMetrics: CloudMetrics;
  private behaviors: Behavior[] = [];
  private ticking: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly policies: Policies,
    options: DefenderOptions = {},
  ) {
    const clock = options.clock ?? Date.now;
    this.violations = new Violations(db, clock);
    this.metrics = new DeviceMetrics(() => this.behaviors, this.violations);
    this.cloudMetrics = new CloudMetrics(clock);
  }

  /** Reads the behaviours and the active violations from the store. */
  async load(): Promise<void> {
    const row = await this.db.get<{ behaviors: string }>('SELECT behaviors FROM defender_profile WHERE slot = 1');
    this.behaviors = row ? (JSON.parse(row.behaviors) as Behavior[]) : [];
    this.measureWindows();
    await this.violations.load();
  }

  /** Binds to the bus and starts looking for ended windows; stop() ends that. */
  bind(bus: MessageBus, onError: (error: Error) => void): void {
    this.observed.watch(bus);
    this.metrics.bind(bus, onError);
    this.violations.bind(bus);
    this.timer = setInterval(() => this.tick().catch(onError), TICK_MS);
    this.timer.unref();
  }

  /** Waits for the window being evaluated, if any, and stops. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking.catch(() => undefined);
  }

  /** The broker's security log goes through here. */
  readonly onSecurityEvent = (event: SecurityEvent): void => this.observed.record(event);

  audit(): Promise<AuditReport> {
    return runAudit(this.db, this.policies, this.observed);
  }

  listBehaviors(): Behavior[] {
    return this.behaviors;
  }

  /** Replaces the behaviours (validated by the caller) in the store; violations of removed or changed ones are cleared. */
  async setBehaviors(list: Behavior[]): Promise<void> {
    await this.db.run(
      'INSERT INTO defender_profile (slot, behaviors, updated_at) VALUES (1, ?, ?) ON CONFLICT (slot) DO UPDATE SET behaviors = excluded.behaviors, updated_at = excluded.updated_at',
      [JSON.stringify(list), Date.now()],
    );
    const previous = this.behaviors;
    this.behaviors = list;
    this.measureWindows();
    await this.violations.retire(previous, list);
  }

  /** Evaluates the windows that have ended (the timer calls it every second; tests call it after moving the clock). */
  tick(): Promise<void> {
    const done = this.ticking.then(() => this.evaluateEnded());
    this.ticking = done.catch(() => undefined);
    return done;
  }

  private measureWindows(): void {
    this.cloudMetrics.measure(this.behaviors.filter(isCloudBehavior).map((b) => b.durationSeconds));
  }

  private async evaluateEnded(): Promise<void> {
    const ended = this.cloudMetrics.takeEnded();
    if (ended.length === 0) return;
    const things = (await this.db.all<{ name: string }>('SELECT name FROM things ORDER BY name')).map((r) => r.name);
    await this.violations.forgetThingsOtherThan(new Set(things));
    if (things.length === 0) return;
    for (const window of ended) await this.evaluateWindow(window, things);
  }

  /** One datapoint per thing and behaviour of the window's length; a statistical limit is the fleet's percentile over the window. */
  private async evaluateWindow(window: EndedWindow, things: string[]): Promise<void> {
    for (const b of this.behaviors) {
      if (!isCloudBehavior(b) || b.durationSeconds !== window.durationSeconds) continue;
      const values = things.map((thing) => window.value(thing, b.metric));
      const limit = b.statisticalThreshold ? percentile(values, b.statisticalThreshold.statistic) : b.value!;
      const threshold = thresholdText(b, limit);
      await Promise.all(things.map((thing, i) => this.violations.datapoint(thing, b, values[i]!, breaksLimit(b, values[i]!, limit), threshold)));
    }
  }
}
