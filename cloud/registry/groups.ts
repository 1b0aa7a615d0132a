/** Thing groups: named sets of things, in a hierarchy (a group may have one parent). */
import type { Database, Queryable } from '../store/database.js';
import { alreadyExists, CloudError, notFound } from '../errors.js';
import { parseInput } from './parse.js';
import * as schema from './schemas.js';

export interface ThingGroup {
  groupName: string;
  parentGroupName?: string;
  description?: string;
  attributes: Record<string, string>;
  createdAt: number;
}

interface GroupRow {
  name: string;
  parent: string | null;
  description: string | null;
  attributes: string;
  created_at: number;
}

const toGroup = (row: GroupRow): ThingGroup => ({
  groupName: row.name,
  ...(row.parent !== null && { parentGroupName: row.parent }),
  ...(row.description !== null && { description: row.description }),
  attributes: JSON.parse(row.attributes) as Record<string, string>,
  createdAt: row.created_at,
});

export class Groups {
  constructor(private readonly db: Database) {}

  async create(input: unknown): Promise<ThingGroup> {
    const request = parseInput(schema.createGroup, input);
    return this.db.transaction(async (tx) => {
      if (request.parentGroupName !== undefined) await this.describe(request.parentGroupName, tx);
      const now = Date.now();
      const { changes } = await tx.run(
        'INSERT INTO thing_groups (name, parent, description, attributes, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
        [request.groupName, request.parentGroupName ?? null, request.description ?? null, JSON.stringify(request.attributes ?? {}), now],
      );
      if (changes === 0) throw alreadyExists(`thing group ${request.groupName}`);
      return toGroup({ name: request.groupName, parent: request.parentGroupName ?? null, description: request.description ?? null, attributes: JSON.stringify(request.attributes ?? {}), created_at: now });
    });
  }

  async describe(groupName: string, tx: Queryable = this.db): Promise<ThingGroup> {
    const row = await tx.get<GroupRow>('SELECT * FROM thing_groups WHERE name = ?', [groupName]);
    if (row === undefined) throw notFound(`thing group ${groupName}`);
    return toGroup(row);
  }

  async list(): Promise<ThingGroup[]> {
    return (await this.db.all<GroupRow>('SELECT * FROM thing_groups ORDER BY name')).map(toGroup);
  }

  /** A group with child groups cannot be deleted; its memberships go with it. */
  async delete(groupName: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.describe(groupName, tx);
      const child = await tx.get<{ name: string }>('SELECT name FROM thing_groups WHERE parent = ?', [groupName]);
      if (child) throw new CloudError('DeleteConflictException', `thing group ${groupName} has child group ${child.name}`);
      await tx.run('DELETE FROM thing_groups WHERE name = ?', [groupName]);
    });
  }

  async addThing(groupName: string, thingName: string, tx: Queryable = this.db): Promise<void> {
    await this.describe(groupName, tx);
    if (!(await tx.get('SELECT name FROM things WHERE name = ?', [thingName]))) throw notFound(`thing ${thingName}`);
    await tx.run('INSERT INTO thing_group_members (group_name, thing_name) VALUES (?, ?) ON CONFLICT DO NOTHING', [groupName, thingName]);
  }

  async removeThing(groupName: string, thingName: string): Promise<void> {
    await this.describe(groupName);
    await this.db.run('DELETE FROM thing_group_members WHERE group_name = ? AND thing_name = ?', [groupName, thingName]);
  }

  /** Things directly in the group. */
  async things(groupName: string): Promise<string[]> {
    await this.describe(groupName);
    return (await this.db.all<{ thing_name: string }>('SELECT thing_name FROM thing_group_members WHERE group_name = ? ORDER BY thing_name', [groupName])).map((r) => r.thing_name);
  }

  /** The groups a thing is in, directly. */
  async groupsOf(thingName: string): Promise<string[]> {
    return (await this.db.all<{ group_name: string }>('SELECT group_name FROM thing_group_members WHERE thing_name = ? ORDER BY group_name', [thingName])).map((r) => r.group_name);
  }
}
