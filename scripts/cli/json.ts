import type { Command } from 'commander';
import type { CliIO } from './io.js';

/** The parsed value of the `--json` option added by addJsonOption. */
export interface JsonOption {
  json?: boolean;
}

/** Adds `--json` to a command: print the result as JSON on stdout instead of text. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print the result as JSON on stdout');
}

/**
 * Prints a command's result: `JSON.stringify(value, null, 2)` plus a newline when `--json` was
 * given, otherwise the text `human(value)` returns (a trailing newline is added if missing).
 * Keep `value` plain data so the JSON form is stable for scripts.
 */
export function printResult<T>(io: CliIO, options: JsonOption, value: T, human: (value: T) => string): void {
  if (options.json) {
    io.out(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const text = human(value);
  io.out(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}
