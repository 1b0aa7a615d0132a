/** Entry point of the `mote` CLI, built by tsup to dist/cli/main.js and started by scripts/bin/mote.js. */
import { processIO } from './io.js';
import { run } from './program.js';

/** Runs `mote` with the process's arguments and returns the exit code. */
export function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  return run(argv, processIO());
}
