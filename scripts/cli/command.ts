import type { Command } from 'commander';
import type { CliIO } from './io.js';

/** What a command module gets when it registers. */
export interface CliContext {
  io: CliIO;
}

/**
 * One `mote` subcommand. A module in scripts/cli/commands/<name>.ts exports one of these and is
 * listed in scripts/cli/commands/index.ts.
 *
 * `register` adds the command to `program` (normally `program.command('<name>')`), declares its
 * arguments and options and attaches an async action. The action reports expected failures by
 * throwing CliError (exit 1) or UsageError (exit 2) and writes through `ctx.io`, never to
 * `console`, so the CLI can be run in-process. Commander's own parse errors need no handling;
 * `command.error()` counts as a usage error (exit 2) whatever exit code it is given.
 */
export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}
