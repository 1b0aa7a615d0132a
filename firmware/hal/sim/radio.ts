/**
 * The access points around the simulated chip, and its Wi-Fi station joining them. Joining takes
 * `joinMs` of board time (association, WPA handshake, DHCP); then it succeeds with the access
 * point's address, or fails: no such access point up ('unreachable'), or a password that does
 * not match ('wrong-password'). An access point's outages drop a joined station ('lost') and fail
 * joins while they last. Engine-neutral; the same model behind every engine host, so a wrong
 * password fails the same way on every port.
 */

export interface AccessPointSpec {
  ssid: string;
  /** WPA passphrase; absent for an open network. */
  password?: string;
  /** The address its DHCP server gives the station. Default '192.168.1.100'. */
  ip?: string;
  /** How long a join takes, ms. Default 300. */
  joinMs?: number;
  /** Times the access point is down (ms, from `at` until `until`). */
  outages?: { at: number; until: number }[];
}

export type JoinEvent = { kind: 'joined'; ip: string } | { kind: 'failed'; reason: 'wrong-password' | 'unreachable' } | { kind: 'lost' };

interface Join {
  ap: AccessPointSpec | undefined;
  joined: boolean;
  report: (event: JoinEvent) => void;
}

export const DEFAULT_JOIN_MS = 300;

export class VirtualRadio {
  private join: Join | undefined;

  constructor(
    private readonly accessPoints: AccessPointSpec[],
    private readonly now: () => number,
    private readonly later: (fn: () => void, ms: number) => void,
  ) {}

  /** Starts joining `ssid`; `report` gets the outcome after the join time, then a loss, if any. */
  connect(ssid: string, password: string | undefined, report: (event: JoinEvent) => void): void {
    const ap = this.find(ssid);
    const join: Join = { ap, joined: false, report };
    this.join = join;
    this.later(() => {
      if (this.join !== join) return;
      if (ap && this.up(ap) && (ap.password || '') === (password || '')) {
        join.joined = true;
        report({ kind: 'joined', ip: ap.ip || '192.168.1.100' });
        return;
      }
      this.join = undefined; // before reporting: the report may start the next join
      report({ kind: 'failed', reason: ap && this.up(ap) ? 'wrong-password' : 'unreachable' });
    }, ap && ap.joinMs !== undefined ? ap.joinMs : DEFAULT_JOIN_MS);
  }

  /** Leaves the network (or stops joining); nothing more is reported. */
  disconnect(): void {
    this.join = undefined;
  }

  /** Schedules the access points' outages: call once the board's clock is set. */
  start(): void {
    for (const ap of this.accessPoints) {
      for (const outage of ap.outages || []) this.later(() => this.down(ap), outage.at - this.now());
    }
  }

  private down(ap: AccessPointSpec): void {
    const join = this.join;
    if (!join || join.ap !== ap || !join.joined) return;
    this.join = undefined;
    join.report({ kind: 'lost' });
  }

  private up(ap: AccessPointSpec): boolean {
    const t = this.now();
    return !(ap.outages || []).some((o) => o.at <= t && t < o.until);
  }

  private find(ssid: string): AccessPointSpec | undefined {
    for (const ap of this.accessPoints) if (ap.ssid === ssid) return ap;
    return undefined;
  }
}
