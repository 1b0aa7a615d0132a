/**
 * `mote virtual-board [--target espruino|moddable] [--board-spec file] [--json]`: a virtual board on
 * a pseudo-terminal, until Ctrl-C: prints the port to open (with `mote deploy`, `mote monitor`,
 * `mote flash`, an Espruino IDE or a terminal). The board's sockets reach the host's network.
 * - espruino: Espruino's console over a live simulated device (scripts/lib/virtual-board/serial-board.ts);
 * - moddable: a Moddable debug build's xsbug protocol, running installed mods on the real XS
 *   engine (scripts/lib/virtual-board/moddable-board.ts).
 */
import { readFileSync } from 'node:fs';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { addJsonOption } from '../json.js';

export const virtualBoardCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('virtual-board')
        .description('run a virtual Espruino or Moddable board on a pseudo-terminal until Ctrl-C, and print its port')
        .option('--target <engine>', 'espruino (its console) or moddable (xsbug, mods on XS)', 'espruino')
        .option('--board-spec <file>', 'the virtual hardware as JSON: stimuli, i2c sensors, uart, wifi (see docs/hal.md)'),
    ).action(async (options: { target: string; boardSpec?: string; json?: boolean }) => {
      if (options.target !== 'espruino' && options.target !== 'moddable') throw new UsageError(`--target must be espruino or moddable, got "${options.target}"`);
      let board: object = {};
      if (options.boardSpec !== undefined) {
        try {
          board = JSON.parse(readFileSync(options.boardSpec, 'utf8')) as object;
        } catch (error) {
          throw new CliError(`cannot read ${options.boardSpec}: ${(error as Error).message}`);
        }
      }
      let started: { path: string; stop(): Promise<void> };
      if (options.target === 'moddable') {
        const { ModdableBoard } = await import('../../lib/virtual-board/moddable-board.js');
        started = await ModdableBoard.start({ board });
      } else {
        const { SerialBoard } = await import('../../lib/virtual-board/serial-board.js');
        started = await SerialBoard.start({ board });
      }
      const engine = options.target === 'moddable' ? 'Moddable' : 'Espruino';
      if (options.json) io.out(`${JSON.stringify({ port: started.path, target: options.target })}\n`);
      else io.out(`virtual ${engine} board on ${started.path} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await started.stop();
    });
  },
};
