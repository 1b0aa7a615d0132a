/** `mote bench`: benchmarks, printed as ratios to a baseline measured in the same run. */
import type { CommandModule } from '../command.js';
import { UsageError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';
// Each suite loads its bench when it runs: the engines, the build path and serialport are slow
// to load, and `mote --help` should not wait for them.

function count(name: string, value: string, multipleOf: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < multipleOf || n % multipleOf !== 0) {
    throw new UsageError(`${name} must be a positive multiple of ${multipleOf}, got "${value}"`);
  }
  return n;
}

interface BenchOptions {
  switches: string;
  steps: string;
  kib: string;
  rounds: string;
  clients: string;
  messages: string;
  points: string;
  queries: string;
  json?: boolean;
}

/** Each suite: what it measures (for --help) and how it runs. */
const suites: Record<string, { about: string; run(options: BenchOptions, err: (text: string) => void): Promise<{ value: unknown; text: string }> }> = {
  kernel: {
    about: 'task switches per second on node and xs against a hand-written state machine',
    async run(options, err) {
      const switches = count('--switches', options.switches, 20);
      const rounds = count('--rounds', options.rounds, 1);
      err(`running ${switches} switches x ${rounds} rounds per workload on node and xs...\n`);
      const { formatKernelBench, runKernelBench } = await import('../../../bench/kernel/run.js');
      const value = await runKernelBench(switches, rounds);
      return { value, text: formatKernelBench(value) };
    },
  },
  build: {
    about: 'lowered-task resume cost per engine (node, node --jitless, xs) against hand-written code, and bundle bytes per app and target',
    async run(options, err) {
      const steps = count('--steps', options.steps, 200);
      const rounds = count('--rounds', options.rounds, 1);
      err(`running ${steps} steps x ${rounds} rounds per workload on node, node --jitless and xs, then building the example apps...\n`);
      const { formatBuildBench, runBuildBench } = await import('../../../bench/build/run.js');
      const value = await runBuildBench({ steps, rounds });
      return { value, text: formatBuildBench(value) };
    },
  },
  flash: {
    about: 'flash throughput over the simulated ROM link against the line rate, for a compressible and a random image',
    async run(options, err) {
      const kib = count('--kib', options.kib, 4);
      const rounds = count('--rounds', options.rounds, 1);
      const baudRates = [115200, 460800, 921600];
      err(`flashing ${kib} KiB images x ${rounds} rounds at ${baudRates.join(', ')} baud to the simulated ESP32...\n`);
      const { formatFlashBench, runFlashBench } = await import('../../../bench/flash/run.js');
      const value = await runFlashBench({ kib, rounds, baudRates });
      return { value, text: formatFlashBench(value) };
    },
  },
  cloud: {
    about: 'messages/s of MQTT clients through the broker alone against a SELECT ... WHERE rule into the store, and telemetry query latency (p50/p95) over --points stored points',
    async run(options, err) {
      const clients = count('--clients', options.clients, 1);
      const messages = count('--messages', options.messages, 1);
      const points = count('--points', options.points, 20);
      const queries = count('--queries', options.queries, 1);
      const { formatCloudBench, runCloudBench } = await import('../../../bench/cloud/run.js');
      const value = await runCloudBench({ clients, messages, points, queries }, err);
      return { value, text: formatCloudBench(value) };
    },
  },
};

export const benchCommand: CommandModule = {
  register(program, { io }) {
    const names = Object.keys(suites);
    addJsonOption(
      program
        .command('bench')
        .description('run a benchmark suite; results are ratios to a baseline measured in the same run')
        .argument('<suite>', names.map((n) => `${n}: ${suites[n]!.about}`).join('; '))
        .option('--switches <n>', 'kernel: context switches per workload run', '200000')
        .option('--steps <n>', 'build: steps per workload on the JIT (interpreters run a tenth)', '200000')
        .option('--kib <n>', 'flash: image size in KiB (a multiple of 4)', '256')
        .option('--rounds <n>', 'timed runs per workload (the fastest is kept)', '5')
        .option('--clients <n>', 'cloud: MQTT clients publishing at once', '8')
        .option('--messages <n>', 'cloud: messages each client publishes', '2000')
        .option('--points <n>', 'cloud: telemetry points to generate for the queries (a multiple of 20)', '10000000')
        .option('--queries <n>', 'cloud: timed queries per kind', '50'),
    ).action(async (suite: string, options: BenchOptions) => {
      const chosen = suites[suite];
      if (!chosen) throw new UsageError(`unknown bench suite "${suite}"; suites: ${names.join(', ')}`);
      const { value, text } = await chosen.run(options, (line) => io.err(line));
      printResult(io, options, value, () => text);
    });
  },
};
