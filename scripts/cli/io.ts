/** Where the CLI writes and what it reads from its environment; injected so `run` can be tested in-process. */
export interface CliIO {
  /** Writes text to standard output as is (callers add newlines). */
  out(text: string): void;
  /** Writes text to standard error as is (callers add newlines). */
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIO(): CliIO {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
  };
}
