/** Things, thing types and thing groups (AWS's CreateThing, DescribeThing, ... in REST form), bulk registration, connectivity. */
import { z } from 'zod';
import { invalid } from '../../errors.js';
import * as registry from '../../registry/schemas.js';
import { route } from '../route.js';
import * as s from '../schemas.js';

const BULK_LIMIT = 4 * 1024 * 1024;

export const thingRoutes = [
  route({
    operation: 'ListThings', method: 'GET', path: '/things', tag: 'things',
    summary: 'Things in name order, optionally of one type or with one attribute; page with `after` (the last name of the previous page).',
    query: z.strictObject({
      thingTypeName: registry.thingTypeName.optional(),
      attributeName: registry.attributeName.optional(),
      attributeValue: registry.attributeValue.optional(),
      after: registry.thingName.optional(),
      limit: s.queryInteger(250).optional().describe('at most 250 (the default)'),
    }),
    response: z.object({ things: z.array(s.thing) }),
    handle: async ({ query }, { registry }) => ({ things: await registry.things.list(query) }),
  }),
  route({
    operation: 'CreateThing', method: 'POST', path: '/things', tag: 'things', summary: 'Registers a thing.',
    body: registry.createThing, status: 201, response: s.thing,
    handle: ({ body }, { registry }) => registry.things.create(body),
  }),
  route({
    operation: 'DescribeThing', method: 'GET', path: '/things/{thingName}', tag: 'things', summary: 'One thing.',
    params: s.params.thing, response: s.thing,
    handle: ({ params }, { registry }) => registry.things.describe(params.thingName),
  }),
  route({
    operation: 'UpdateThing', method: 'PATCH', path: '/things/{thingName}', tag: 'things',
    summary: "Changes a thing's type (null removes it) and merges attributes (a null value removes one); with `expectedVersion`, only if the thing is at that version (409 otherwise).",
    params: s.params.thing, body: registry.updateThing, response: s.thing,
    handle: ({ params, body }, { registry }) => registry.things.update(params.thingName, body),
  }),
  route({
    operation: 'DeleteThing', method: 'DELETE', path: '/things/{thingName}', tag: 'things',
    summary: 'Deletes a thing, its group memberships and principal attachments; with `expectedVersion`, only at that version.',
    params: s.params.thing, query: z.strictObject({ expectedVersion: s.queryInteger(Number.MAX_SAFE_INTEGER).optional() }),
    handle: ({ params, query }, { registry }) => registry.things.delete(params.thingName, query.expectedVersion),
  }),
  route({
    operation: 'ListThingGroupsForThing', method: 'GET', path: '/things/{thingName}/groups', tag: 'things', summary: 'The groups a thing is directly in.',
    params: s.params.thing, response: z.object({ groups: z.array(z.string()) }),
    handle: async ({ params }, { registry }) => {
      await registry.things.describe(params.thingName);
      return { groups: await registry.groups.groupsOf(params.thingName) };
    },
  }),
  route({
    operation: 'GetThingConnectivity', method: 'GET', path: '/things/{thingName}/connectivity', tag: 'things',
    summary: 'Whether the thing is connected, since when, and why it last disconnected.',
    params: s.params.thing, response: s.connectivity,
    handle: async ({ params }, { registry }) => {
      await registry.things.describe(params.thingName);
      const state = await registry.connectivity.ofThing(params.thingName);
      return state ? { ...state, thingName: params.thingName } : { thingName: params.thingName, connected: false };
    },
  }),
  route({
    operation: 'RegisterThingsInBulk', method: 'POST', path: '/bulk-registrations', tag: 'things',
    summary: 'Registers every thing in a JSON array or CSV file, or none: every bad record is reported, and a conflict writes nothing.',
    query: z.strictObject({ format: z.enum(['json', 'csv']).default('json') }),
    rawBody: { limit: BULK_LIMIT, contentTypes: ['application/json', 'text/csv'], description: 'JSON: [{thingName, thingTypeName?, attributes?, groups?}]. CSV: a header row with thingName, optional thingTypeName and groups (;-separated), other columns as attributes.' },
    response: z.object({ registered: z.array(z.string()) }),
    handle: ({ query, body }, { registry }) => {
      if (body === undefined || body.length === 0) throw invalid('the body must hold the file to register');
      return registry.registerBulk(body.toString('utf8'), query.format);
    },
  }),

  route({
    operation: 'ListThingTypes', method: 'GET', path: '/thing-types', tag: 'thing types', summary: 'All thing types.',
    response: z.object({ thingTypes: z.array(s.thingType) }),
    handle: async (_input, { registry }) => ({ thingTypes: await registry.things.listTypes() }),
  }),
  route({
    operation: 'CreateThingType', method: 'POST', path: '/thing-types', tag: 'thing types', summary: 'Creates a thing type.',
    body: registry.createThingType, status: 201, response: s.thingType,
    handle: ({ body }, { registry }) => registry.things.createType(body),
  }),
  route({
    operation: 'DescribeThingType', method: 'GET', path: '/thing-types/{thingTypeName}', tag: 'thing types', summary: 'One thing type.',
    params: s.params.thingType, response: s.thingType,
    handle: ({ params }, { registry }) => registry.things.describeType(params.thingTypeName),
  }),
  route({
    operation: 'DeprecateThingType', method: 'POST', path: '/thing-types/{thingTypeName}/deprecate', tag: 'thing types',
    summary: 'Deprecates a type (its things keep it, no new thing takes it), or with `undoDeprecate` makes it usable again.',
    params: s.params.thingType, body: z.strictObject({ undoDeprecate: z.boolean().optional() }).optional(), response: s.thingType,
    handle: ({ params, body }, { registry }) => registry.things.deprecateType(params.thingTypeName, body?.undoDeprecate ?? false),
  }),
  route({
    operation: 'DeleteThingType', method: 'DELETE', path: '/thing-types/{thingTypeName}', tag: 'thing types',
    summary: 'Deletes a deprecated type that no thing uses.',
    params: s.params.thingType,
    handle: ({ params }, { registry }) => registry.things.deleteType(params.thingTypeName),
  }),

  route({
    operation: 'ListThingGroups', method: 'GET', path: '/thing-groups', tag: 'thing groups', summary: 'All thing groups.',
    response: z.object({ thingGroups: z.array(s.group) }),
    handle: async (_input, { registry }) => ({ thingGroups: await registry.groups.list() }),
  }),
  route({
    operation: 'CreateThingGroup', method: 'POST', path: '/thing-groups', tag: 'thing groups', summary: 'Creates a group, optionally under a parent group.',
    body: registry.createGroup, status: 201, response: s.group,
    handle: ({ body }, { registry }) => registry.groups.create(body),
  }),
  route({
    operation: 'DescribeThingGroup', method: 'GET', path: '/thing-groups/{groupName}', tag: 'thing groups', summary: 'One group.',
    params: s.params.group, response: s.group,
    handle: ({ params }, { registry }) => registry.groups.describe(params.groupName),
  }),
  route({
    operation: 'DeleteThingGroup', method: 'DELETE', path: '/thing-groups/{groupName}', tag: 'thing groups', summary: 'Deletes a group without child groups (its memberships go with it).',
    params: s.params.group,
    handle: ({ params }, { registry }) => registry.groups.delete(params.groupName),
  }),
  route({
    operation: 'ListThingsInThingGroup', method: 'GET', path: '/thing-groups/{groupName}/things', tag: 'thing groups', summary: 'Things directly in a group.',
    params: s.params.group, response: z.object({ things: z.array(z.string()) }),
    handle: async ({ params }, { registry }) => ({ things: await registry.groups.things(params.groupName) }),
  }),
  route({
    operation: 'AddThingToThingGroup', method: 'PUT', path: '/thing-groups/{groupName}/things/{thingName}', tag: 'thing groups', summary: 'Adds a thing to a group (no change if it is in already).',
    params: s.params.groupMember,
    handle: ({ params }, { registry }) => registry.groups.addThing(params.groupName, params.thingName),
  }),
  route({
    operation: 'RemoveThingFromThingGroup', method: 'DELETE', path: '/thing-groups/{groupName}/things/{thingName}', tag: 'thing groups', summary: 'Removes a thing from a group.',
    params: s.params.groupMember,
    handle: ({ params }, { registry }) => registry.groups.removeThing(params.groupName, params.thingName),
  }),
];
