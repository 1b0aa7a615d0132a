/** The registry's behaviour on a store; sqlite.test.ts and postgres.test.ts in cloud/store run it on both. */
import { describe, expect, it } from 'vitest';
import { CloudError } from '../errors.js';
import type { Database } from '../store/database.js';
import { Registry } from './registry.js';

async function rejection(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

export function registryContract(open: () => Promise<Database>): void {
  describe('Registry contract', () => {
    const withRegistry = (test: (registry: Registry, db: Database) => Promise<void>) => async () => {
      const db = await open();
      try {
        await test(new Registry(db), db);
      } finally {
        await db.close();
      }
    };

    it('creates, describes, updates (merging attributes, null removes) and deletes things, with versions', withRegistry(async ({ things }) => {
      await things.createType({ thingTypeName: 'sensor', searchableAttributes: ['room'] });
      const created = await things.create({ thingName: 'lamp-1', thingTypeName: 'sensor', attributes: { room: 'kitchen', floor: '1' } });
      expect(created).toMatchObject({ thingName: 'lamp-1', thingTypeName: 'sensor', attributes: { room: 'kitchen', floor: '1' }, version: 1 });
      expect((await rejection(things.create({ thingName: 'lamp-1' }))).status).toBe(409);

      const updated = await things.update('lamp-1', { attributes: { room: 'hall', floor: null, color: 'red' }, expectedVersion: 1 });
      expect(updated).toMatchObject({ attributes: { room: 'hall', color: 'red' }, version: 2 });
      expect(await things.describe('lamp-1')).toMatchObject({ attributes: { room: 'hall', color: 'red' }, version: 2, thingTypeName: 'sensor' });

      const conflict = await rejection(things.update('lamp-1', { attributes: { a: 'b' }, expectedVersion: 1 }));
      expect(conflict).toMatchObject({ code: 'VersionConflictException', status: 409 });
      expect((await things.describe('lamp-1')).attributes).toEqual({ room: 'hall', color: 'red' });

      await expect(things.delete('lamp-1', 1)).rejects.toMatchObject({ code: 'VersionConflictException' });
      await things.delete('lamp-1', 2);
      expect(await rejection(things.describe('lamp-1'))).toMatchObject({ code: 'ResourceNotFoundException', status: 404, message: 'thing lamp-1 does not exist' });
    }));

    it('refuses invalid names and attributes with the validation message, writing nothing', withRegistry(async ({ things }) => {
      const bad = await rejection(things.create({ thingName: 'has space', attributes: { ok: 'fine' } }));
      expect(bad).toMatchObject({ code: 'InvalidRequestException', status: 400 });
      expect(bad.message).toContain("thingName: thing name may only hold letters, digits, ':', '_' and '-'");
      expect((await rejection(things.create({ thingName: 'x'.repeat(129) }))).message).toContain('longer than 128');
      expect((await rejection(things.create({ thingName: 't', attributes: { a: 5 } }))).message).toContain('attributes.a');
      expect((await rejection(things.create({ thingName: 't', colour: 'red' }))).message).toContain('colour');
      expect((await rejection(things.create({ thingName: 't', thingTypeName: 'nope' }))).status).toBe(404);
      expect(await things.list()).toEqual([]);
    }));

    it('lists things by type and attribute, in name order, with paging', withRegistry(async ({ things }) => {
      await things.createType({ thingTypeName: 'lamp' });
      for (const n of ['c', 'a', 'b']) await things.create({ thingName: n, thingTypeName: n === 'b' ? undefined : 'lamp', attributes: { room: n === 'a' ? 'hall' : 'den' } });
      expect((await things.list()).map((t) => t.thingName)).toEqual(['a', 'b', 'c']);
      expect((await things.list({ thingTypeName: 'lamp' })).map((t) => t.thingName)).toEqual(['a', 'c']);
      expect((await things.list({ attributeName: 'room', attributeValue: 'den' })).map((t) => t.thingName)).toEqual(['b', 'c']);
      expect((await things.list({ after: 'a', limit: 1 })).map((t) => t.thingName)).toEqual(['b']);
    }));

    it('deprecates and deletes thing types only when unused', withRegistry(async ({ things }) => {
      await things.createType({ thingTypeName: 'old' });
      await things.create({ thingName: 't1', thingTypeName: 'old' });
      expect((await rejection(things.deleteType('old'))).message).toBe('thing type old must be deprecated before it is deleted');
      await things.deprecateType('old');
      expect((await rejection(things.create({ thingName: 't2', thingTypeName: 'old' }))).message).toBe('thing type old is deprecated');
      expect(await rejection(things.deleteType('old'))).toMatchObject({ code: 'DeleteConflictException', message: 'thing type old is still used by 1 thing(s)' });
      await things.update('t1', { thingTypeName: null });
      await things.deleteType('old');
      expect(await things.listTypes()).toEqual([]);
    }));

    it('keeps groups in a hierarchy with members', withRegistry(async ({ things, groups }) => {
      await groups.create({ groupName: 'site' });
      await groups.create({ groupName: 'floor-1', parentGroupName: 'site', attributes: { level: '1' } });
      expect((await rejection(groups.create({ groupName: 'x', parentGroupName: 'missing' }))).status).toBe(404);
      await things.create({ thingName: 'lamp' });
      await groups.addThing('floor-1', 'lamp');
      await groups.addThing('floor-1', 'lamp'); // idempotent
      expect(await groups.things('floor-1')).toEqual(['lamp']);
      expect(await groups.groupsOf('lamp')).toEqual(['floor-1']);
      expect((await rejection(groups.addThing('floor-1', 'ghost'))).message).toBe('thing ghost does not exist');
      expect(await rejection(groups.delete('site'))).toMatchObject({ code: 'DeleteConflictException' });
      await groups.delete('floor-1');
      expect(await groups.groupsOf('lamp')).toEqual([]);
      await things.delete('lamp');
      expect((await groups.list()).map((g) => g.groupName)).toEqual(['site']);
    }));

    it('issues device tokens shown once, verifies them, and refuses revoked, unknown and wrong ones', withRegistry(async ({ things, principals }) => {
      await things.create({ thingName: 'lamp' });
      const { token, tokenId } = await principals.createToken('lamp');
      expect(token.startsWith(`${tokenId}.`)).toBe(true);
      expect(await principals.verifyToken(token)).toEqual({ tokenId });
      expect(await principals.thingsOf(tokenId)).toEqual(['lamp']);
      expect(await principals.verifyToken(`${tokenId}.wrong`)).toEqual({ refused: 'wrong secret' });
      expect(await principals.verifyToken('tok-0000.secret')).toEqual({ refused: 'unknown' });
      expect(await principals.verifyToken('no-dot')).toEqual({ refused: 'malformed' });
      await principals.revokeToken(tokenId);
      expect(await principals.verifyToken(token)).toEqual({ refused: 'revoked' });
      expect((await rejection(principals.createToken('ghost'))).status).toBe(404);
      expect((await principals.listTokens()).map((t) => t.status)).toEqual(['REVOKED']);
    }));

    it('tracks connectivity per session: a stale disconnect does not mark a reconnected client offline', withRegistry(async ({ connectivity }) => {
      await connectivity.connected('lamp', 's1', 'lamp', 1000);
      await connectivity.connected('lamp', 's2', 'lamp', 2000);
      expect(await connectivity.disconnected('lamp', 's1', 'DUPLICATE_CLIENTID', 2001)).toBe(false);
      expect(await connectivity.ofThing('lamp')).toEqual({ clientId: 'lamp', thingName: 'lamp', connected: true, timestamp: 2000 });
      expect(await connectivity.disconnected('lamp', 's2', 'CLIENT_INITIATED_DISCONNECT', 3000)).toBe(true);
      expect(await connectivity.ofClient('lamp')).toEqual({ clientId: 'lamp', thingName: 'lamp', connected: false, timestamp: 3000, disconnectReason: 'CLIENT_INITIATED_DISCONNECT' });
    }));

    it('registers things in bulk from JSON and CSV, all or nothing', withRegistry(async (registry) => {
      await registry.things.createType({ thingTypeName: 'lamp' });
      await registry.groups.create({ groupName: 'hall' });
      const csv = 'thingName,thingTypeName,groups,room,"serial"\nl1,lamp,hall,north,"A,1"\nl2,,,south,\n';
      expect(await registry.registerBulk(csv, 'csv')).toEqual({ registered: ['l1', 'l2'] });
      expect(await registry.things.describe('l1')).toMatchObject({ thingTypeName: 'lamp', attributes: { room: 'north', serial: 'A,1' } });
      expect(await registry.things.describe('l2')).toMatchObject({ attributes: { room: 'south' } });
      expect(await registry.groups.things('hall')).toEqual(['l1']);

      // Validation problems: every bad record reported, nothing written.
      const bad = await rejection(registry.registerBulk(JSON.stringify([{ thingName: 'ok' }, { thingName: 'bad name' }, { thingName: 'ok' }, 7]), 'json'));
      expect(bad.message).toMatch(/^bulk registration refused, nothing written: record 2: thingName: .*; record 3: thing ok appears twice; record 4: /);
      // A conflict found while writing (l1 exists) rolls back the records before it.
      const conflict = await rejection(registry.registerBulk(JSON.stringify([{ thingName: 'new-1' }, { thingName: 'l1' }]), 'json'));
      expect(conflict).toMatchObject({ status: 409, message: 'bulk registration refused at record 2, nothing written: thing l1 already exists' });
      expect((await registry.things.list()).map((t) => t.thingName)).toEqual(['l1', 'l2']);
      expect((await rejection(registry.registerBulk('{"not":"an array"}', 'json'))).message).toBe('bulk JSON file must hold an array of things');
      expect((await rejection(registry.registerBulk('thingName\n"unterminated', 'csv'))).message).toMatch(/^bulk file is not valid CSV: /);
    }));
  });
}
