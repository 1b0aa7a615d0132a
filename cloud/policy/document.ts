/**
 * Policy documents in AWS IoT's JSON form: statements that Allow or Deny actions on resources.
 *
 *   {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iot:Publish"],"Resource":["topic/things/${iot:ClientId}/*"]}]}
 *
 * Resources are `client/<clientId>`, `topic/<topic>` or `topicfilter/<filter>`, optionally with
 * AWS's ARN prefix (`arn:aws:iot:<region>:<account>:`), which is ignored.
 */
import { z } from 'zod';

export const policyActions = ['iot:Connect', 'iot:Publish', 'iot:Subscribe', 'iot:Receive', 'iot:*'] as const;
export type PolicyAction = Exclude<(typeof policyActions)[number], 'iot:*'>;

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

export const policyStatement = z.strictObject({
  Effect: z.enum(['Allow', 'Deny']),
  Action: oneOrMany(z.enum(policyActions)),
  Resource: oneOrMany(
    z.string().regex(/^(\*|(arn:[^:]*:iot:[^:]*:[^:]*:)?(client|topic|topicfilter)\/.+)$/, 'resource must be *, client/..., topic/... or topicfilter/... (optionally after an arn:aws:iot:region:account: prefix)'),
  ),
});

export const policyDocument = z.strictObject({
  Version: z.literal('2012-10-17').optional(),
  Statement: z.array(policyStatement).min(1, 'a policy needs at least one statement'),
});

/** A validated document: Action and Resource always arrays. */
export type PolicyDocument = z.output<typeof policyDocument>;

export const policyName = z.string().min(1).max(128).regex(/^[\w+=,.@-]+$/, 'policy names may only hold letters, digits and _+=,.@-');
