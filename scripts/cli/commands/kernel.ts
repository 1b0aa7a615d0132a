/** `mote kernel`: the FreeRTOS-style kernel's conformance suite, on Node or on the XS engine. */
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';
import { type CheckResult, type Engine, check, scenarios, traces } from '../../../firmware/host/kernel-conformance.js';

function engines(value: string, allowAll: boolean): Engine[] {
  if (value === 'node' || value === 'xs') return [value];
  if (allowAll && value === 'all') return ['node', 'xs'];
  throw new UsageError(`--engine must be node, xs${allowAll ? ' or all' : ''}, got "${value}"`);
}

function pick(names: string[]) {
  const unknown = names.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}; see 'mote kernel scenarios'`);
  }
  return names.length === 0 ? scenarios : scenarios.filter((s) => names.includes(s.name));
}

function describeResult(r: CheckResult): string {
  const head = `${r.engine.padEnd(5)} ${r.mode.padEnd(12)} ${`${r.scenario} (${r.demo})`.padEnd(40)}`;
  if (r.pass) return `${head} pass`;
  const i = r.firstDifference;
  return `${head} FAIL at line ${i + 1}: expected ${JSON.stringify(r.expected[i] ?? '(end)')}, got ${JSON.stringify(r.actual[i] ?? '(end)')}`;
}

export const kernelCommand: CommandModule = {
  register(program, { io }) {
    const kernel = program
      .command('kernel')
      .description("the FreeRTOS-style kernel: run its conformance suite on Node or the XS engine");

    addJsonOption(kernel.command('scenarios').description('list the conformance scenarios and the FreeRTOS demos they port')).action(
      (options) => {
        const rows = scenarios.map((s) => ({ name: s.name, demo: s.demo }));
        printResult(io, options, rows, (list) => list.map((r) => `${r.name.padEnd(18)} ${r.demo}`).join('\n'));
      },
    );

    addJsonOption(
      kernel
        .command('check')
        .description('run scenarios in both scheduling modes and compare each trace with the expected one')
        .argument('[scenario...]', 'scenario names (default: all)')
        .option('--engine <engine>', 'node, xs or all', 'all'),
    ).action(async (names: string[], options: { engine: string; json?: boolean }) => {
      const selected = pick(names);
      const results: CheckResult[] = [];
      for (const engine of engines(options.engine, true)) results.push(...(await check(engine, selected)));
      const failed = results.filter((r) => !r.pass).length;
      printResult(io, options, results, (list) =>
        [...list.map(describeResult), `${list.length - failed} passed, ${failed} failed`].join('\n'),
      );
      if (failed > 0) throw new CliError(`${failed} of ${results.length} runs differ from the expected trace`);
    });

    addJsonOption(
      kernel
        .command('trace')
        .description("print a scenario's trace (tick, event) as the kernel runs it")
        .argument('<scenario>', 'scenario name')
        .option('--cooperative', 'configUSE_PREEMPTION=0 (default: preemptive)')
        .option('--engine <engine>', 'node or xs', 'node'),
    ).action(async (name: string, options: { cooperative?: boolean; engine: string; json?: boolean }) => {
      const [scenario] = pick([name]);
      const [engine] = engines(options.engine, false);
      const mode = options.cooperative ? 'cooperative' : 'preemptive';
      const lines = (await traces(engine))[scenario.name][mode];
      printResult(io, options, { scenario: scenario.name, engine, mode, trace: lines }, (r) => r.trace.join('\n'));
    });
  },
};
