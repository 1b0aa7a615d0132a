/**
 * The measured Espruino 2v29 dialect table (`dialect-2v29.json`, copied unchanged from
 * shared/espruino/): ~130 snippets run alone on a real Espruino 2v29 interpreter, with what each
 * printed and whether it raised an error. Ground truth for the dialect checker (./dialect.ts) and
 * the Espruino-dialect host (firmware/host/espruino/). Host-side code.
 */
import table from './dialect-2v29.json' with { type: 'json' };

export interface DialectCase {
  /** What the snippet exercises; unique within the table, used as its key. */
  feature: string;
  /** The snippet, run alone as a file. */
  code: string;
  /** What the interpreter printed, lines joined with ' / ' (banner and prompts removed). */
  output: string;
  /** 'error' when the interpreter raised an error (syntax or runtime), else 'ok'. */
  status: 'ok' | 'error';
  /** What Node printed, where it differs (promise timing). */
  node_output?: string;
}

export interface DialectTable {
  engine: string;
  measured: string;
  cases: DialectCase[];
}

export const dialectTable: DialectTable = table as DialectTable;

/** The case whose `feature` is `feature`; throws if the table has none (a stale reference). */
export function dialectCase(feature: string): DialectCase {
  const found = dialectTable.cases.find((c) => c.feature === feature);
  if (!found) throw new Error(`dialect-2v29.json has no case '${feature}'`);
  return found;
}
