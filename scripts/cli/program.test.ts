// In-process tests of the CLI framework with stand-in commands: how command modules register,
// which exit code each kind of failure gives, and the --json helper.
import { describe, expect, it } from 'vitest';
import type { CommandModule } from './command.js';
import { CliError, UsageError } from './errors.js';
import type { CliIO } from './io.js';
import { addJsonOption, printResult, type JsonOption } from './json.js';
import { run } from './program.js';

function memoryIO(env: Record<string, string> = {}) {
  const io = { stdout: '', stderr: '' };
  const cli: CliIO = { out: (t) => void (io.stdout += t), err: (t) => void (io.stderr += t), env };
  return { io, cli };
}

const greet: CommandModule = {
  register(program, { io }) {
    addJsonOption(program.command('greet').description('say hello').argument('<name>'))
      .option('--shout')
      .action((name: string, options: JsonOption & { shout?: boolean }) => {
        const greeting = { text: `hello ${name}`, shout: options.shout === true };
        printResult(io, options, greeting, (g) => (g.shout ? g.text.toUpperCase() : g.text));
      });
  },
};

const failing: CommandModule = {
  register(program) {
    program.command('fail-cli').action(() => {
      throw new CliError('board not found');
    });
    program.command('fail-usage').action(() => {
      throw new UsageError('--port is required when more than one board is attached');
    });
    program.command('fail-bug').action(async () => {
      throw new TypeError('undefined is not a function');
    });
  },
};

const group: CommandModule = {
  register(program) {
    const kernel = program.command('kernel').description('kernel tools');
    kernel.command('check').action(() => {});
  },
};

const modules = [greet, failing, group];

describe('run', () => {
  it('lists registered commands in --help', async () => {
    const { io, cli } = memoryIO();
    expect(await run(['--help'], cli, modules)).toBe(0);
    expect(io.stdout).toMatch(/greet \[options\] <name>\s+say hello/);
    expect(io.stdout).toMatch(/kernel\s+kernel tools/);
  });

  it('runs a command and prints text or JSON', async () => {
    const text = memoryIO();
    expect(await run(['greet', 'mote', '--shout'], text.cli, modules)).toBe(0);
    expect(text.io.stdout).toBe('HELLO MOTE\n');

    const json = memoryIO();
    expect(await run(['greet', 'mote', '--json'], json.cli, modules)).toBe(0);
    expect(JSON.parse(json.io.stdout)).toEqual({ text: 'hello mote', shout: false });
  });

  it.each([
    [['greet'], "mote: missing required argument 'name' (see 'mote greet --help')\n"],
    [['greet', 'a', 'b'], "mote: too many arguments for 'greet'. Expected 1 argument but got 2. (see 'mote greet --help')\n"],
    [['greet', 'a', '--loud'], "mote: unknown option '--loud' (see 'mote greet --help')\n"],
    [['kernel', 'chek'], "mote: unknown command 'chek' (Did you mean check?) (see 'mote kernel --help')\n"],
    [['grete'], "mote: unknown command 'grete' (see 'mote --help')\n"],
  ])('exits 2 on the usage error %j', async (argv, message) => {
    const { io, cli } = memoryIO();
    expect(await run(argv, cli, modules)).toBe(2);
    expect(io.stderr).toBe(message);
  });

  it('exits 2 with help on stderr for a command group without a subcommand', async () => {
    const { io, cli } = memoryIO();
    expect(await run(['kernel'], cli, modules)).toBe(2);
    expect(io.stderr).toMatch(/^Usage: mote kernel/);
  });

  it('maps thrown errors to exit codes with one line on stderr', async () => {
    const cliError = memoryIO();
    expect(await run(['fail-cli'], cliError.cli, modules)).toBe(1);
    expect(cliError.io.stderr).toBe('mote: board not found\n');

    const usage = memoryIO();
    expect(await run(['fail-usage'], usage.cli, modules)).toBe(2);
    expect(usage.io.stderr).toBe('mote: --port is required when more than one board is attached\n');

    const bug = memoryIO();
    expect(await run(['fail-bug'], bug.cli, modules)).toBe(1);
    expect(bug.io.stderr).toBe('mote: undefined is not a function\n');
  });

  it('adds the stack trace when MOTE_DEBUG=1', async () => {
    const { io, cli } = memoryIO({ MOTE_DEBUG: '1' });
    expect(await run(['fail-bug'], cli, modules)).toBe(1);
    expect(io.stderr).toMatch(/^mote: undefined is not a function\nTypeError: undefined is not a function\n\s+at /);
  });
});
