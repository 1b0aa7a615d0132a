/**
 * Names and values the registry accepts, with AWS IoT's limits, as zod schemas: the registry,
 * bulk registration and the HTTP API validate with the same ones.
 */
import { z } from 'zod';

const name = (what: string) =>
  z.string().min(1, `${what} must not be empty`).max(128, `${what} is longer than 128 characters`).regex(/^[a-zA-Z0-9:_-]+$/, `${what} may only hold letters, digits, ':', '_' and '-'`);

export const thingName = name('thing name');
export const thingTypeName = name('thing type name');
export const groupName = name('thing group name');

/** Attribute names and values as AWS allows them; a null value removes the attribute in an update. */
export const attributeName = z.string().min(1).max(128).regex(/^[a-zA-Z0-9_.,@/:#-]+$/, 'attribute names may only hold letters, digits and _.,@/:#-');
export const attributeValue = z.string().max(800).regex(/^[a-zA-Z0-9_.,@/:#=[\]-]*$/, 'attribute values may only hold letters, digits and _.,@/:#=[]-');
export const attributes = z.record(attributeName, attributeValue).refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes');

export const createThing = z.strictObject({
  thingName,
  thingTypeName: thingTypeName.optional(),
  attributes: attributes.optional(),
});
export type CreateThing = z.infer<typeof createThing>;

export const updateThing = z.strictObject({
  thingTypeName: thingTypeName.nullable().optional(),
  /** Merged into the thing's attributes; a null value removes that attribute. */
  attributes: z.record(attributeName, attributeValue.nullable()).optional(),
  expectedVersion: z.number().int().positive().optional(),
});
export type UpdateThing = z.infer<typeof updateThing>;

export const createThingType = z.strictObject({
  thingTypeName,
  description: z.string().max(2028).optional(),
  searchableAttributes: z.array(attributeName).max(3, 'at most 3 searchable attributes').optional(),
});
export type CreateThingType = z.infer<typeof createThingType>;

export const createGroup = z.strictObject({
  groupName,
  parentGroupName: groupName.optional(),
  description: z.string().max(2028).optional(),
  attributes: attributes.optional(),
});
export type CreateGroup = z.infer<typeof createGroup>;

/** One line of a bulk registration file. */
export const bulkThing = createThing.extend({ groups: z.array(groupName).optional() });
export type BulkThing = z.infer<typeof bulkThing>;

/** A zod error as one line: `path: message; path: message`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}
