/**
 * Things and thing types: the registry's record of each device, its type and its attributes.
 * Every change bumps the thing's version; updates and deletes may name the version they expect
 * (409 VersionConflictException otherwise), as AWS's UpdateThing/DeleteThing do.
 */
import type { Database, Queryable } from '../store/database.js';
import { alreadyExists, CloudError, notFound } from '../errors.js';
import { parseInput } from './parse.js';
import * as schema from './schemas.js';

export interface Thing {
  thingName: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface ThingType {
  thingTypeName: string;
  description?: string;
  searchableAttributes: string[];
  deprecated: boolean;
  createdAt: number;
}

interface ThingRow {
  name: string;
  thing_type: string | null;
  attributes: string;
  version: number;
  created_at: number;
  updated_at: number;
}

interface ThingTypeRow {
  name: string;
  description: string | null;
  searchable_attributes: string;
  deprecated: number;
  created_at: number;
}

const toThing = (row: ThingRow): Thing => ({
  thingName: row.name,
  ...(row.thing_type !== null && { thingTypeName: row.thing_type }),
  attributes: JSON.parse(row.attributes) as Record<string, string>,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toThingType = (row: ThingTypeRow): ThingType => ({
  thingTypeName: row.name,
  ...(row.description !== null && { description: row.description }),
  searchableAttributes: JSON.parse(row.searchable_attributes) as string[],
  deprecated: row.deprecated === 1,
  createdAt: row.created_at,
});

export interface ListThings {
  thingTypeName?: string;
  attributeName?: string;
  attributeValue?: string;
  /** Things whose names sort after this one (paging: pass the last name of the previous page). */
  after?: string;
  limit?: number;
}

export class Things {
  constructor(private readonly db: Database) {}

  /** Creates a thing inside `tx` (bulk registration runs many in one transaction). */
  async create(input: unknown, tx: Queryable = this.db): Promise<Thing> {
    const request = parseInput(schema.createThing, input);
    if (request.thingTypeName !== undefined) await this.usableType(tx, request.thingTypeName);
    const now = Date.now();
    const { changes } = await tx.run(
      'INSERT INTO things (name, thing_type, attributes, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (name) DO NOTHING',
      [request.thingName, request.thingTypeName ?? null, JSON.stringify(request.attributes ?? {}), now, now],
    );
    if (changes === 0) throw alreadyExists(`thing ${request.thingName}`);
    return { thingName: request.thingName, ...(request.thingTypeName && { thingTypeName: request.thingTypeName }), attributes: request.attributes ?? {}, version: 1, createdAt: now, updatedAt: now };
  }

  async describe(thingName: string, tx: Queryable = this.db): Promise<Thing> {
    const row = await tx.get<ThingRow>('SELECT * FROM things WHERE name = ?', [thingName]);
    if (row === undefined) throw notFound(`thing ${thingName}`);
    return toThing(row);
  }

  /** The thing, or undefined: for callers to whom an unknown thing is not an error. */
  async find(thingName: string): Promise<Thing | undefined> {
    const row = await this.db.get<ThingRow>('SELECT * FROM things WHERE name = ?', [thingName]);
    return row && toThing(row);
  }

  async update(thingName: string, input: unknown): Promise<Thing> {
    const request = parseInput(schema.updateThing, input);
    // Optimistic: the write names the version read, and a concurrent writer makes us read again.
    for (;;) {
      const updated = await this.tryUpdate(thingName, request);
      if (updated !== undefined) return updated;
    }
  }

  /** Updates inside the caller's transaction; a concurrent writer makes it fail with VersionConflictException. */
  async updateIn(tx: Queryable, thingName: string, input: unknown): Promise<Thing> {
    const updated = await this.applyUpdate(tx, thingName, parseInput(schema.updateThing, input));
    if (updated === undefined) throw new CloudError('VersionConflictException', `thing ${thingName} changed while it was being updated`);
    return updated;
  }

  private tryUpdate(thingName: string, request: schema.UpdateThing): Promise<Thing | undefined> {
    return this.db.transaction((tx) => this.applyUpdate(tx, thingName, request));
  }

  /** The update, or undefined if the row changed since it was read. */
  private async applyUpdate(tx: Queryable, thingName: string, request: schema.UpdateThing): Promise<Thing | undefined> {
    const thing = await this.describe(thingName, tx);
    checkVersion(thing, request.expectedVersion);
    const attributes = { ...thing.attributes };
    for (const [key, value] of Object.entries(request.attributes ?? {})) {
      if (value === null) delete attributes[key];
      else attributes[key] = value;
    }
    let thingType = thing.thingTypeName ?? null;
    if (request.thingTypeName !== undefined) {
      if (request.thingTypeName !== null) await this.usableType(tx, request.thingTypeName);
      thingType = request.thingTypeName;
    }
    const now = Date.now();
    const { changes } = await tx.run('UPDATE things SET thing_type = ?, attributes = ?, version = ?, updated_at = ? WHERE name = ? AND version = ?', [thingType, JSON.stringify(attributes), thing.version + 1, now, thingName, thing.version]);
    if (changes === 0) return undefined;
    return { ...thing, ...(thingType !== null ? { thingTypeName: thingType } : { thingTypeName: undefined }), attributes, version: thing.version + 1, updatedAt: now };
  }

  async delete(thingName: string, expectedVersion?: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const thing = await this.describe(thingName, tx);
      checkVersion(thing, expectedVersion);
      await tx.run('DELETE FROM things WHERE name = ?', [thingName]);
    });
  }

  async list(filter: ListThings = {}): Promise<Thing[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.thingTypeName !== undefined) where.push('thing_type = ?'), params.push(filter.thingTypeName);
    if (filter.after !== undefined) where.push('name > ?'), params.push(filter.after);
    const rows = await this.db.all<ThingRow>(`SELECT * FROM things ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name`, params);
    let things = rows.map(toThing);
    // Attributes live in a JSON column; filter here rather than in dialect-specific JSON SQL.
    if (filter.attributeName !== undefined) {
      things = things.filter((t) => filter.attributeName! in t.attributes && (filter.attributeValue === undefined || t.attributes[filter.attributeName!] === filter.attributeValue));
    }
    return things.slice(0, Math.min(filter.limit ?? 250, 250));
  }

  async createType(input: unknown): Promise<ThingType> {
    const request = parseInput(schema.createThingType, input);
    const now = Date.now();
    const { changes } = await this.db.run(
      'INSERT INTO thing_types (name, description, searchable_attributes, deprecated, created_at) VALUES (?, ?, ?, 0, ?) ON CONFLICT (name) DO NOTHING',
      [request.thingTypeName, request.description ?? null, JSON.stringify(request.searchableAttributes ?? []), now],
    );
    if (changes === 0) throw alreadyExists(`thing type ${request.thingTypeName}`);
    return { thingTypeName: request.thingTypeName, ...(request.description !== undefined && { description: request.description }), searchableAttributes: request.searchableAttributes ?? [], deprecated: false, createdAt: now };
  }

  async describeType(name: string, tx: Queryable = this.db): Promise<ThingType> {
    const row = await tx.get<ThingTypeRow>('SELECT * FROM thing_types WHERE name = ?', [name]);
    if (row === undefined) throw notFound(`thing type ${name}`);
    return toThingType(row);
  }

  async listTypes(): Promise<ThingType[]> {
    return (await this.db.all<ThingTypeRow>('SELECT * FROM thing_types ORDER BY name')).map(toThingType);
  }

  /** Deprecated types keep their things but take no new ones; `undo` makes the type usable again. */
  async deprecateType(name: string, undo = false): Promise<ThingType> {
    const { changes } = await this.db.run('UPDATE thing_types SET deprecated = ? WHERE name = ?', [undo ? 0 : 1, name]);
    if (changes === 0) throw notFound(`thing type ${name}`);
    return this.describeType(name);
  }

  /** As AWS: only a deprecated type with no things left can be deleted. */
  async deleteType(name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const type = await this.describeType(name, tx);
      if (!type.deprecated) throw new CloudError('InvalidRequestException', `thing type ${name} must be deprecated before it is deleted`);
      const used = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM things WHERE thing_type = ?', [name]);
      if (used!.n > 0) throw new CloudError('DeleteConflictException', `thing type ${name} is still used by ${used!.n} thing(s)`);
      await tx.run('DELETE FROM thing_types WHERE name = ?', [name]);
    });
  }

  private async usableType(tx: Queryable, name: string): Promise<void> {
    const type = await this.describeType(name, tx);
    if (type.deprecated) throw new CloudError('InvalidRequestException', `thing type ${name} is deprecated`);
  }
}

function checkVersion(thing: Thing, expected: number | undefined): void {
  if (expected !== undefined && expected !== thing.version) {
    throw new CloudError('VersionConflictException', `thing ${thing.thingName} is at version ${thing.version}, not ${expected}`);
  }
}
