import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import type { CommandModule } from './command.js';
import { commands as defaultCommands } from './commands/index.js';
import { CliError, ExitCode } from './errors.js';
import type { CliIO } from './io.js';

/** Which command a parse error came from, for the "see 'mote <command> --help'" hint. */
const erroredCommand = new WeakMap<CommanderError, Command>();

/** Builds the `mote` program with the given subcommands registered. */
export function buildProgram(io: CliIO, commands: readonly CommandModule[] = defaultCommands): Command {
  const program = new Command('mote')
    .description(pkg.description)
    .version(pkg.version, '-V, --version', 'print the mote version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command');

  // Not `program.action(...)`: with an action, commander reports an unknown command as
  // "too many arguments". This listener runs only when no subcommand matched.
  program.on('command:*', (operands: string[]) => {
    program.error(`unknown command '${operands[0]}'`, { code: 'commander.unknownCommand', exitCode: ExitCode.usage });
  });

  for (const module of commands) module.register(program, { io });

  // Applied after registration so that every command behaves alike whichever way its module
  // created it: parse errors throw (mapped to exit 2 by run) instead of calling process.exit,
  // help goes through io, and commander's own error line is replaced by ours.
  const configure = (command: Command): void => {
    command
      .exitOverride((error) => {
        erroredCommand.set(error, command);
        throw error;
      })
      .configureOutput({
        writeOut: io.out,
        writeErr: io.err,
        outputError: () => {},
      });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * Runs `mote` with `argv` (the arguments after `mote`) and returns the exit code: 0 ok,
 * 1 failure, 2 usage error. Never throws and never calls process.exit.
 */
export async function run(argv: readonly string[], io: CliIO, commands?: readonly CommandModule[]): Promise<number> {
  let program: Command;
  try {
    program = buildProgram(io, commands);
  } catch (error) {
    return report(error, io);
  }
  if (argv.length === 0) {
    io.err(program.helpInformation());
    return ExitCode.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // --help, --version: already printed.
    if (error.exitCode === 0) return ExitCode.ok;
    // help({ error: true }), e.g. a command group run without a subcommand: help already on stderr.
    if (error.code === 'commander.help') return ExitCode.usage;
    // Every other CommanderError is a command-line error, `command.error()` included (runtime
    // failures are thrown as CliError, see CommandModule).
    const help = `${commandPath(erroredCommand.get(error))} --help`;
    io.err(`mote: ${oneLine(error.message.replace(/^error: /, ''))} (see '${help}')\n`);
    return ExitCode.usage;
  }
  const exitCode = error instanceof CliError ? error.exitCode : ExitCode.failure;
  const message = error instanceof Error ? error.message : String(error);
  io.err(`mote: ${oneLine(message)}\n`);
  if (io.env.MOTE_DEBUG === '1' && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return exitCode;
}

function commandPath(command: Command | undefined): string {
  const names: string[] = [];
  for (let c = command; c; c = c.parent ?? undefined) names.unshift(c.name());
  return names.length > 0 ? names.join(' ') : 'mote';
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}
