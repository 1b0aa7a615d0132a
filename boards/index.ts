/** Loads and validates the board definitions in boards/*.json. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { packageFile } from '../scripts/lib/paths.js';
import { type Board, boardSchema } from './schema.js';

export type { Board } from './schema.js';
export { flashBytes } from './schema.js';
export { boardFor, detectPorts, usbBridges, type DetectedPort, type PortInfo } from './detect.js';

export class BoardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardError';
  }
}

function describe(issue: z.core.$ZodIssue): string {
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** Parses one board file's text; `file` names it in errors. Throws BoardError listing every problem. */
export function parseBoard(text: string, file: string): Board {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BoardError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = boardSchema.safeParse(data);
  if (!parsed.success) throw new BoardError(parsed.error.issues.map((i) => `${file}: ${describe(i)}`).join('\n'));
  const expected = path.basename(file, '.json');
  if (parsed.data.id !== expected) throw new BoardError(`${file}: id "${parsed.data.id}" does not match the file name (expected "${expected}")`);
  return parsed.data;
}

/** Every board in `dir` (default: the package's boards/), sorted by id. */
export function loadBoards(dir = packageFile('boards')): Board[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseBoard(readFileSync(path.join(dir, f), 'utf8'), path.join(path.basename(dir), f)));
}

/** The board with this id; throws BoardError naming the known ids. */
export function boardById(id: string, boards = loadBoards()): Board {
  const board = boards.find((b) => b.id === id);
  if (board === undefined) throw new BoardError(`unknown board "${id}" (known: ${boards.map((b) => b.id).join(', ')})`);
  return board;
}
