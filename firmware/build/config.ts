/**
 * The project config file, `mote.config.json`, at the root of a firmware project:
 *
 * ```json
 * { "target": "moddable", "entry": "main.ts", "board": "esp32-devkitc", "outDir": "build", "name": "thermostat" }
 * ```
 *
 * | key | type | default | meaning |
 * | --- | --- | --- | --- |
 * | `target` | `"espruino"` or `"moddable"` | none (the CLI's `--target` must say) | the engine the firmware is built for |
 * | `entry` | non-empty string | `"main.ts"` | the entry module, relative to the project folder |
 * | `board` | board id | none | the board the firmware runs on (`boards/<id>.json`) |
 * | `outDir` | non-empty string | `"build"` | where the build writes, relative to the project folder |
 * | `name` | name | the project folder's name | the firmware's name (also the Moddable module namespace) |
 *
 * Any other key is an error. Each problem is reported as one line,
 * `mote.config.json: <path>: <problem>` (a JSON syntax error as `mote.config.json: line L, column C: <problem>`),
 * all of them in one ConfigError. Host-side code: Node APIs allowed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const CONFIG_FILE = 'mote.config.json';

export const targets = ['espruino', 'moddable'] as const;
export type Target = (typeof targets)[number];

export interface MoteConfig {
  target?: Target;
  entry: string;
  board?: string;
  outDir: string;
  name: string;
}

/** One or more problems with mote.config.json; `issues` holds one line per problem, `message` all of them. */
export class ConfigError extends Error {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(issues.join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Names and board ids: a letter or digit, then letters, digits, '.', '_' or '-'. */
const identifier = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const identifierRule = 'letters, digits, ".", "_" or "-", starting with a letter or digit';

const schema = z.strictObject({
  target: z.enum(targets).optional(),
  entry: z.string().min(1).optional(),
  board: z.string().regex(identifier).optional(),
  outDir: z.string().min(1).optional(),
  name: z.string().regex(identifier).optional(),
});

const knownKeys = Object.keys(schema.shape).join(', ');

/** The config of a project folder without a mote.config.json. */
export function defaultConfig(dir: string): MoteConfig {
  return { entry: 'main.ts', outDir: 'build', name: defaultName(dir) };
}

/** The folder's name made a valid `name` ("app" if nothing of it is usable). */
function defaultName(dir: string): string {
  const cleaned = path.basename(path.resolve(dir)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return cleaned === '' ? 'app' : cleaned;
}

/**
 * Parses and validates the text of `dir`'s mote.config.json, filling in defaults.
 * Throws a ConfigError listing every problem.
 */
export function parseConfig(text: string, dir: string): MoteConfig {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError([syntaxIssue(text.replace(/^\uFEFF/, ''), (error as Error).message)]);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.flatMap((issue) => describeIssue(issue, data)));
  const defaults = defaultConfig(dir);
  const given = parsed.data;
  const config: MoteConfig = {
    entry: given.entry ?? defaults.entry,
    outDir: given.outDir ?? defaults.outDir,
    name: given.name ?? defaults.name,
  };
  if (given.target !== undefined) config.target = given.target;
  if (given.board !== undefined) config.board = given.board;
  return config;
}

/**
 * Reads `dir/mote.config.json`; returns defaultConfig(dir) when there is no such file.
 * Throws a ConfigError if the file is not valid, and the read error if it cannot be read.
 */
export async function loadConfig(dir: string): Promise<MoteConfig> {
  let text: string;
  try {
    text = await readFile(path.join(dir, CONFIG_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig(dir);
    throw error;
  }
  return parseConfig(text, dir);
}

/** JSON.parse's message with its "at position N" turned into a line and column (1-based). */
function syntaxIssue(text: string, message: string): string {
  const match = / at position (\d+)/.exec(message);
  const position = match ? Number(match[1]) : text.length;
  const before = text.slice(0, position).split(/\r\n|\r|\n/);
  const line = before.length;
  const column = before[before.length - 1].length + 1;
  const problem = message.replace(/( in JSON)? at position \d+.*$/, '').replace(/ of JSON input$/, '');
  return `${CONFIG_FILE}: line ${line}, column ${column}: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`;
}

/** `outDir`, `a.b[2]`, or `(root)` for the whole file. */
function formatPath(at: readonly PropertyKey[]): string {
  if (at.length === 0) return '(root)';
  return at.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
}

/** What a JSON value is, in words: "a string", "null", "an array", ... */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function valueAt(data: unknown, at: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of at) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string[] {
  const where = formatPath(issue.path);
  const value = valueAt(data, issue.path);
  const line = (problem: string) => `${CONFIG_FILE}: ${where}: ${problem}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${CONFIG_FILE}: ${formatPath([...issue.path, key])}: unknown key (known keys: ${knownKeys})`);
    case 'invalid_type':
      return [line(`expected ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, got ${kind(value)}`)];
    case 'invalid_value':
      return [line(`must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${JSON.stringify(value)}`)];
    case 'too_small':
      return [line('must not be empty')];
    case 'invalid_format':
      return [line(`${JSON.stringify(value)} is not valid: use ${identifierRule}`)];
    default:
      return [line(issue.message)];
  }
}
