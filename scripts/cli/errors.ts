/** Process exit codes of `mote`. */
export const ExitCode = {
  ok: 0,
  /** The command ran and failed (device not found, build error, test failure, ...). */
  failure: 1,
  /** The command line was wrong: unknown command or option, missing or bad argument. */
  usage: 2,
} as const;

/**
 * A failure the user should see as one line, `mote: <message>`, with no stack trace.
 * Commands throw this (or UsageError) for expected failures; anything else that escapes a command
 * is reported the same way, with its stack when MOTE_DEBUG=1.
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = ExitCode.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The command line itself is wrong; exits 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}
