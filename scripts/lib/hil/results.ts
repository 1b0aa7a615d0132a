/**
 * What a HIL run produces, and the recorder that builds it from one device's console: frames
 * become test results, other lines the device log (kept per test and whole), and a corrupt frame
 * or a gap in frame numbers marks a link fault (the run is retried; the tests are not at fault).
 * Host-side.
 */
import { type ConsoleItem, type DeviceEvent, parseLine } from './frames.js';

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  /** `describe › test`, as the device named it. */
  name: string;
  /** The suite's device that ran it. */
  device: string;
  status: TestStatus;
  ms: number;
  /** Why it failed (the device's own message, then any host check's) or was skipped. */
  message?: string;
  /** The device's console lines while the test ran. */
  log: string[];
}

export interface SuiteResult {
  suite: string;
  target: string;
  /** passed: every test passed or was skipped; failed: a test failed; error: the suite could not run to its end. */
  status: 'passed' | 'failed' | 'error';
  /** Why the suite could not run (build failure, link fault after retries, timeout, a device that stopped). */
  error?: string;
  ms: number;
  attempts: number;
  tests: TestResult[];
  /** Each device's whole console, by device name. */
  logs: Record<string, string[]>;
}

export type Signal = Extract<DeviceEvent, { e: 'signal' }>;

/** Builds one device's test results from its console lines. */
export class DeviceRecorder {
  readonly tests: TestResult[] = [];
  readonly log: string[] = [];
  /** The number of tests the device announced, once it has begun. */
  count: number | undefined;
  ended = false;
  /** The first link fault seen (corrupt frame, lost frame). */
  linkFault: string | undefined;
  private nextFrame = 0;
  /** Test ids count from 0 in each boot. */
  private boot = 1;
  private current: TestResult | undefined;
  private readonly byId: { [key: string]: TestResult } = {};

  constructor(
    readonly device: string,
    private readonly onSignal: (signal: Signal, test: TestResult | undefined) => void = () => undefined,
  ) {}

  /** One console line from the device. */
  line(text: string): void {
    for (const item of parseLine(text)) this.item(item);
  }

  item(item: ConsoleItem): void {
    if (item.kind === 'log') {
      this.log.push(item.text);
      this.current?.log.push(item.text);
    } else if (item.kind === 'corrupt') this.fault(`${item.reason}: ${item.text.slice(0, 80)}`);
    else this.event(item.event);
  }

  /** The device booted again (a suite of several boots): its frames count from 0 anew. */
  restarted(): void {
    this.ended = false;
    this.nextFrame = 0;
    this.current = undefined;
    this.boot++;
  }

  /** Adds a host check's failure to a test (a passed test becomes failed). */
  hostFailure(test: TestResult, message: string): void {
    test.status = 'failed';
    test.message = test.message ? `${test.message}; ${message}` : message;
  }

  private key(id: number): string {
    return `${this.boot}:${id}`;
  }

  private fault(reason: string): void {
    this.linkFault ??= `${this.device}: ${reason}`;
  }

  private event(event: DeviceEvent): void {
    if (event.n !== this.nextFrame) this.fault(event.n < this.nextFrame ? `frame ${event.n} again after ${this.nextFrame - 1} (the device restarted?)` : `frames ${this.nextFrame}-${event.n - 1} lost`);
    this.nextFrame = event.n + 1;
    switch (event.e) {
      case 'begin':
        this.count = (this.count ?? 0) + event.count;
        break;
      case 'test':
        this.current = { name: event.name, device: this.device, status: 'failed', ms: 0, log: [] };
        this.byId[this.key(event.id)] = this.current;
        this.tests.push(this.current);
        break;
      case 'pass':
      case 'fail':
      case 'skip': {
        const test = this.byId[this.key(event.id)];
        if (!test) return this.fault(`a result for test ${event.id}, which never started`);
        // A host check may already have failed it: keep that.
        if (event.e === 'fail') this.hostFailure(test, withUncaught(event.message, test.log));
        else if (event.e === 'skip') Object.assign(test, { status: 'skipped', message: event.reason });
        else if (test.message === undefined) test.status = 'passed';
        if (event.e !== 'skip') test.ms = event.ms;
        this.current = undefined;
        break;
      }
      case 'signal':
        this.onSignal(event, this.byId[this.key(event.id)]);
        break;
      case 'end':
        this.ended = true;
        break;
    }
  }
}

/**
 * A test that timed out often did so because an exception escaped a callback (an expectation
 * outside guard()): the engine printed it as "Uncaught …"; that line is the device's real message.
 */
function withUncaught(message: string, log: readonly string[]): string {
  const uncaught = log.find((line) => line.startsWith('Uncaught '));
  return uncaught !== undefined && message.startsWith('timed out') ? `${message}; the device printed: ${uncaught}` : message;
}

/** Counts over results. */
export function tally(suites: readonly SuiteResult[]): { passed: number; failed: number; skipped: number; errors: number } {
  const tests = suites.flatMap((s) => s.tests);
  return {
    passed: tests.filter((t) => t.status === 'passed').length,
    failed: tests.filter((t) => t.status === 'failed').length,
    skipped: tests.filter((t) => t.status === 'skipped').length,
    errors: suites.filter((s) => s.status === 'error').length,
  };
}
