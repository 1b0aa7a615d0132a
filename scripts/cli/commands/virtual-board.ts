/**
 * `mote virtual-board [--board-spec file] [--json]`: a virtual Espruino board on a
 * pseudo-terminal, until Ctrl-C: prints the port to open (with `mote deploy`, `mote monitor`, an
 * Espruino IDE or a terminal); the board runs Espruino's console over a live simulated device
 * whose sockets reach the host's network (scripts/lib/virtual-board/serial-board.ts).
 */
import { readFileSync } from 'node:fs';
import type { CommandModule } from '../command.js';
import { CliError } from '../errors.js';
import { addJsonOption } from '../json.js';

export const virtualBoardCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('virtual-board')
        .description('run a virtual Espruino board on a pseudo-terminal until Ctrl-C, and print its port')
        .option('--board-spec <file>', 'the virtual hardware as JSON: stimuli, i2c sensors, uart, wifi (see docs/hal.md)'),
    ).action(async (options: { boardSpec?: string; json?: boolean }) => {
      let board: object = {};
      if (options.boardSpec !== undefined) {
        try {
          board = JSON.parse(readFileSync(options.boardSpec, 'utf8')) as object;
        } catch (error) {
          throw new CliError(`cannot read ${options.boardSpec}: ${(error as Error).message}`);
        }
      }
      const { SerialBoard } = await import('../../lib/virtual-board/serial-board.js');
      const started = await SerialBoard.start({ board });
      if (options.json) io.out(`${JSON.stringify({ port: started.path, target: 'espruino' })}\n`);
      else io.out(`virtual Espruino board on ${started.path} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await started.stop();
    });
  },
};
