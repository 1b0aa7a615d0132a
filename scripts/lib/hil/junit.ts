/**
 * JUnit XML for CI, in the shape Jenkins, GitLab and GitHub test reporters read: one
 * <testsuite> per suite and target, one <testcase> per device test with its duration,
 * <failure message> for a failed test (the device's message; the log in the element and in
 * <system-out>), <skipped/>, and an <error> test case for a suite that could not run.
 * Host-side.
 */
import os from 'node:os';
import type { SuiteResult, TestResult } from './results.js';

/** Text for XML content and attribute values; characters XML 1.0 cannot hold become U+FFFD. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testCase(suite: SuiteResult, test: TestResult): string {
  const open = `    <testcase classname="${xmlEscape(`${suite.suite}.${suite.target}.${test.device}`)}" name="${xmlEscape(test.name)}" time="${seconds(test.ms)}"`;
  const out = test.log.length > 0 ? `      <system-out>${xmlEscape(test.log.join('\n'))}</system-out>\n` : '';
  if (test.status === 'passed') return out ? `${open}>\n${out}    </testcase>` : `${open}/>`;
  if (test.status === 'skipped') return `${open}>\n      <skipped message="${xmlEscape(test.message ?? '')}"/>\n${out}    </testcase>`;
  const message = test.message ?? 'failed';
  return `${open}>\n      <failure message="${xmlEscape(message)}" type="AssertionError">${xmlEscape(message)}</failure>\n${out}    </testcase>`;
}

function testSuite(suite: SuiteResult, timestamp: string): string {
  const failures = suite.tests.filter((t) => t.status === 'failed').length;
  const skipped = suite.tests.filter((t) => t.status === 'skipped').length;
  const cases = suite.tests.map((t) => testCase(suite, t));
  if (suite.status === 'error') {
    const log = Object.entries(suite.logs).flatMap(([device, lines]) => lines.map((line) => `${device}: ${line}`));
    cases.push(
      `    <testcase classname="${xmlEscape(`${suite.suite}.${suite.target}`)}" name="(suite)" time="${seconds(suite.ms)}">\n` +
        `      <error message="${xmlEscape(suite.error ?? 'error')}" type="HilError">${xmlEscape(suite.error ?? '')}</error>\n` +
        (log.length > 0 ? `      <system-out>${xmlEscape(log.join('\n'))}</system-out>\n` : '') +
        '    </testcase>',
    );
  }
  const tests = suite.tests.length + (suite.status === 'error' ? 1 : 0);
  const errors = suite.status === 'error' ? 1 : 0;
  return (
    `  <testsuite name="${xmlEscape(`${suite.suite} (${suite.target})`)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" ` +
    `time="${seconds(suite.ms)}" timestamp="${timestamp}" hostname="${xmlEscape(os.hostname())}">\n` +
    (cases.length > 0 ? `${cases.join('\n')}\n` : '') +
    '  </testsuite>'
  );
}

/** The JUnit XML document for a run. */
export function junitXml(suites: readonly SuiteResult[], started: Date = new Date()): string {
  const timestamp = started.toISOString().replace(/\.\d+Z$/, '');
  const all = suites.flatMap((s) => s.tests);
  const errors = suites.filter((s) => s.status === 'error').length;
  const ms = suites.reduce((sum, s) => sum + s.ms, 0);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="mote hil" tests="${all.length + errors}" failures="${all.filter((t) => t.status === 'failed').length}" ` +
    `errors="${errors}" skipped="${all.filter((t) => t.status === 'skipped').length}" time="${seconds(ms)}">\n` +
    suites.map((s) => `${testSuite(s, timestamp)}\n`).join('') +
    '</testsuites>\n'
  );
}
