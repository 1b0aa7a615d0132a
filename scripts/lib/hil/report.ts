/** The text `mote hil` prints: a line per test as suites finish, failures with the device's message and log, a summary. Host-side. */
import { type SuiteResult, type TestResult, tally } from './results.js';

const LOG_LINES = 10;

function label(suite: SuiteResult, test: TestResult, devices: number): string {
  return `${suite.suite} [${suite.target}] ${devices > 1 ? `${test.device}: ` : ''}${test.name}`;
}

/** The lines for one finished suite. */
export function formatSuite(suite: SuiteResult): string {
  const devices = Object.keys(suite.logs).length;
  const lines: string[] = [];
  for (const test of suite.tests) {
    const name = label(suite, test, devices);
    if (test.status === 'passed') lines.push(`  ✓ ${name} (${test.ms} ms)`);
    else if (test.status === 'skipped') lines.push(`  - ${name} (skipped: ${test.message ?? ''})`);
    else {
      lines.push(`  ✗ ${name} (${test.ms} ms)`, `      ${test.message ?? 'failed'}`);
      if (test.log.length > 0) lines.push('      device log:', ...test.log.slice(-LOG_LINES).map((l) => `        ${l}`));
    }
  }
  if (suite.status === 'error') {
    lines.push(`  ! ${suite.suite} [${suite.target}] could not run: ${suite.error ?? ''}`);
    for (const [device, log] of Object.entries(suite.logs)) {
      if (log.length > 0) lines.push(`      ${device} log:`, ...log.slice(-LOG_LINES).map((l) => `        ${l}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** "hil: 31 passed, 1 failed, 2 skipped, 0 suite errors (4 suites × 2 targets, 25.3 s)". */
export function summaryLine(suites: readonly SuiteResult[], ms: number): string {
  const t = tally(suites);
  const names = new Set(suites.map((s) => s.suite)).size;
  const targets = [...new Set(suites.map((s) => s.target))];
  return `hil: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.errors} suite error${t.errors === 1 ? '' : 's'} (${names} suite${names === 1 ? '' : 's'} on ${targets.join(', ') || 'no target'}, ${(ms / 1000).toFixed(1)} s)`;
}

/** The first failure, for the command's error line: the device's own message. */
export function firstProblem(suites: readonly SuiteResult[]): string | undefined {
  for (const suite of suites) {
    const failed = suite.tests.find((t) => t.status === 'failed');
    if (failed) return `${label(suite, failed, Object.keys(suite.logs).length)}: ${failed.message ?? 'failed'}`;
    if (suite.status === 'error') return `${suite.suite} [${suite.target}]: ${suite.error ?? 'error'}`;
  }
  return undefined;
}
