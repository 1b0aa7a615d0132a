/** `mote boards [--json]`: the board definitions and the connected serial ports, with the boards each port could be. */
import type { CommandModule } from '../command.js';
import { CliError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';

interface BoardRow {
  id: string;
  name: string;
  chip: string;
  flash: string;
  usb: string[];
  engines: string[];
  /** Whether a connected port's USB bridge matches this board. */
  detected: boolean;
}

export const boardsCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program.command('boards').description('list the supported boards and the connected serial ports (detected boards marked *)'),
    ).action(async (options: { json?: boolean }) => {
      const { loadBoards, detectPorts, BoardError } = await import('../../../boards/index.js');
      const { listPorts } = await import('../../lib/esp-serial/ports.js');
      let boards;
      try {
        boards = loadBoards();
      } catch (error) {
        if (error instanceof BoardError) throw new CliError(error.message);
        throw error;
      }
      const { ports: found, note } = await listPorts();
      const ports = detectPorts(found, boards);
      const rows: BoardRow[] = boards.map((b) => ({
        id: b.id,
        name: b.name,
        chip: b.chip,
        flash: b.flash.size,
        usb: b.usb,
        engines: Object.keys(b.engines),
        detected: ports.some((p) => p.boards.includes(b.id)),
      }));
      printResult(io, options, { boards: rows, ports, ...(note ? { note } : {}) }, (r) => {
        const lines = ['  board                 chip     flash  engines            usb'];
        for (const b of r.boards) {
          lines.push(`${b.detected ? '*' : ' '} ${b.id.padEnd(21)} ${b.chip.padEnd(8)} ${b.flash.padEnd(6)} ${b.engines.join(',').padEnd(18)} ${b.usb.join(' ')}`);
        }
        lines.push('', r.ports.length === 0 ? 'no serial ports found' : 'ports:');
        for (const p of r.ports) {
          const what = p.bridge ? `${p.bridge} ${p.usb}` : p.usb ?? 'not USB';
          const could = p.boards.length > 0 ? ` -> ${p.boards.join(', ')}` : p.bridge ? ' -> any board with this bridge' : '';
          lines.push(`  ${p.path.padEnd(16)} ${what}${could}`);
        }
        if (r.note) lines.push(`note: ${r.note}`);
        return lines.join('\n');
      });
    });
  },
};
