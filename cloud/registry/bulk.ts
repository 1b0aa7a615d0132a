/**
 * Bulk registration: many things from a JSON or CSV file, all or nothing. Every record is
 * validated first and every problem reported with its record number; only a clean file is
 * written, in one transaction, so a failure leaves the registry as it was.
 *
 * JSON: an array of `{thingName, thingTypeName?, attributes?, groups?}`.
 * CSV: a header row; `thingName` is required, `thingTypeName` and `groups` (names separated by
 * `;`) optional, and every other column is an attribute (an empty cell means none).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { CloudError, invalid } from '../errors.js';
import type { Database } from '../store/database.js';
import type { Groups } from './groups.js';
import { bulkThing, describeZodError, type BulkThing } from './schemas.js';
import type { Things } from './things.js';

export type BulkFormat = 'json' | 'csv';

/** Parses and validates a bulk file; throws InvalidRequestException listing every bad record. */
export function parseBulkFile(text: string, format: BulkFormat): BulkThing[] {
  const records = format === 'json' ? jsonRecords(text) : csvRecords(text);
  const problems: string[] = [];
  const things: BulkThing[] = [];
  const seen = new Set<string>();
  records.forEach(({ where, value }) => {
    const result = bulkThing.safeParse(value);
    if (!result.success) return void problems.push(`${where}: ${describeZodError(result.error)}`);
    if (seen.has(result.data.thingName)) return void problems.push(`${where}: thing ${result.data.thingName} appears twice`);
    seen.add(result.data.thingName);
    things.push(result.data);
  });
  if (problems.length > 0) throw invalid(`bulk registration refused, nothing written: ${problems.join('; ')}`);
  return things;
}

function jsonRecords(text: string): { where: string; value: unknown }[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(`bulk file is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) throw invalid('bulk JSON file must hold an array of things');
  return data.map((value, i) => ({ where: `record ${i + 1}`, value }));
}

function csvRecords(text: string): { where: string; value: unknown }[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (error) {
    throw invalid(`bulk file is not valid CSV: ${(error as Error).message}`);
  }
  return rows.map((row, i) => {
    const { thingName, thingTypeName, groups, ...rest } = row;
    const attributes = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== ''));
    return {
      where: `line ${i + 2}`,
      value: {
        thingName,
        ...(thingTypeName && { thingTypeName }),
        ...(Object.keys(attributes).length > 0 && { attributes }),
        ...(groups && { groups: groups.split(';').map((g) => g.trim()).filter(Boolean) }),
      },
    };
  });
}

/** Registers every thing of a parsed bulk file in one transaction; any failure writes nothing. */
export async function registerBulk(db: Database, things: Things, groups: Groups, records: BulkThing[]): Promise<{ registered: string[] }> {
  return db.transaction(async (tx) => {
    for (const [i, { groups: groupNames, ...thing }] of records.entries()) {
      try {
        await things.create(thing, tx);
        for (const group of groupNames ?? []) await groups.addThing(group, thing.thingName, tx);
      } catch (error) {
        if (error instanceof CloudError) throw new CloudError(error.code, `bulk registration refused at record ${i + 1}, nothing written: ${error.message}`);
        throw error;
      }
    }
    return { registered: records.map((r) => r.thingName) };
  });
}
