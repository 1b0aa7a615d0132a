/**
 * The HTTP API's own schemas: path and query parameters, and the answers it documents. Request
 * bodies reuse the registry's and policies' schemas (registry/schemas.ts, policy/document.ts).
 */
import { z } from 'zod';
import { policyActions, policyName } from '../policy/document.js';
import { certificateStatuses } from '../registry/principals.js';
import { groupName, thingName, thingTypeName } from '../registry/schemas.js';

export const principalId = z.string().regex(/^(tok-[0-9a-f]{16}|[0-9a-f]{64})$/, 'a principal is a certificate id (64 hex digits) or a device token id (tok-<16 hex digits>)');
export const certificateId = z.string().regex(/^[0-9a-f]{64}$/, 'a certificate id is 64 lowercase hex digits');
export const tokenId = z.string().regex(/^tok-[0-9a-f]{16}$/, 'a device token id is tok-<16 hex digits>');
export const shadowName = z.string().min(1).max(64).regex(/^[a-zA-Z0-9:_-]+$/, "shadow names may only hold letters, digits, ':', '_' and '-'");

export const params = {
  thing: z.strictObject({ thingName }),
  thingPrincipal: z.strictObject({ thingName, principal: principalId }),
  thingType: z.strictObject({ thingTypeName }),
  group: z.strictObject({ groupName }),
  groupMember: z.strictObject({ groupName, thingName }),
  certificate: z.strictObject({ certificateId }),
  token: z.strictObject({ tokenId }),
  policy: z.strictObject({ policyName }),
  policyTarget: z.strictObject({ policyName, principal: principalId }),
};

/** A positive integer given as a query string. */
export const queryInteger = (max: number) => z.coerce.number().int().positive().max(max);

const epochMs = z.number().int().describe('epoch milliseconds');
const stringMap = z.record(z.string(), z.string());

export const thing = z.object({ thingName: z.string(), thingTypeName: z.string().optional(), attributes: stringMap, version: z.number().int(), createdAt: epochMs, updatedAt: epochMs });
export const thingType = z.object({ thingTypeName: z.string(), description: z.string().optional(), searchableAttributes: z.array(z.string()), deprecated: z.boolean(), createdAt: epochMs });
export const group = z.object({ groupName: z.string(), parentGroupName: z.string().optional(), description: z.string().optional(), attributes: stringMap, createdAt: epochMs });
export const certificate = z.object({
  certificateId: z.string(), certificatePem: z.string(), status: z.enum(certificateStatuses as [string, ...string[]]), subject: z.string(), validTo: z.string(), createdAt: epochMs, updatedAt: epochMs,
});
export const deviceToken = z.object({ tokenId: z.string(), status: z.enum(['ACTIVE', 'REVOKED']), createdAt: epochMs });
export const issuedToken = deviceToken.extend({ thingName: z.string(), token: z.string().describe('the device token, shown only in this answer') });
/** A stored policy document: as sent, with Action and Resource always arrays. */
const storedPolicyDocument = z.object({
  Version: z.literal('2012-10-17').optional(),
  Statement: z.array(z.object({ Effect: z.enum(['Allow', 'Deny']), Action: z.array(z.enum(policyActions)), Resource: z.array(z.string()) })),
});
export const policy = z.object({ policyName: z.string(), policyDocument: storedPolicyDocument, createdAt: epochMs, updatedAt: epochMs });
export const connectivity = z.object({
  thingName: z.string(),
  clientId: z.string().optional(),
  connected: z.boolean(),
  timestamp: epochMs.optional().describe('last connect or disconnect; absent if the thing never connected'),
  disconnectReason: z.string().optional(),
});

/** A JSON object whose shape the Device Shadow contract defines (shared/specs/aws-iot-contracts.md). */
export const shadowDocument = z.record(z.string(), z.unknown());
export const shadowError = z.object({ code: z.number().int(), message: z.string(), timestamp: z.number().int(), clientToken: z.string().optional() });

export const apiError = z.object({
  error: z.string().describe("AWS-style exception name, e.g. 'InvalidRequestException'"),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('validation problems, one per bad field'),
});
export type ApiError = z.infer<typeof apiError>;

/** Refusals of the shadow routes: the shadow service's own, or the API's for a request it never reached. */
export const shadowRefusal = z.union([shadowError, apiError]);
