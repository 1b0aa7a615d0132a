/** `mote bench`: benchmarks, printed as ratios to a baseline measured in the same run. */
import type { CommandModule } from '../command.js';
import { UsageError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';
import { formatKernelBench, runKernelBench } from '../../../bench/kernel/run.js';

function count(name: string, value: string, multipleOf: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < multipleOf || n % multipleOf !== 0) {
    throw new UsageError(`${name} must be a positive multiple of ${multipleOf}, got "${value}"`);
  }
  return n;
}

export const benchCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('bench')
        .description('run a benchmark suite on Node and on the XS engine')
        .argument('<suite>', 'kernel: task switches per second against a hand-written state machine')
        .option('--switches <n>', 'context switches per workload run', '200000')
        .option('--rounds <n>', 'timed runs per workload (the fastest is kept)', '5'),
    ).action(async (suite: string, options: { switches: string; rounds: string; json?: boolean }) => {
      if (suite !== 'kernel') throw new UsageError(`unknown bench suite "${suite}"; suites: kernel`);
      const switches = count('--switches', options.switches, 20);
      const rounds = count('--rounds', options.rounds, 1);
      io.err(`running ${switches} switches x ${rounds} rounds per workload on node and xs...\n`);
      const results = await runKernelBench(switches, rounds);
      printResult(io, options, results, formatKernelBench);
    });
  },
};
