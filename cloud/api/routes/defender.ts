/** Device Defender (cloud/defender/): the audit's findings; detect's behaviours and its violations, active and cleared. */
import { z } from 'zod';
import { auditChecks } from '../../defender/audit.js';
import { behavior, behaviors } from '../../defender/behaviors.js';
import { MAX_LISTED } from '../../defender/violations.js';
import { thingName } from '../../registry/schemas.js';
import { route } from '../route.js';

const finding = z.object({
  checkName: z.enum(auditChecks),
  severity: z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']),
  resource: z.object({ type: z.enum(['CERTIFICATE', 'DEVICE_TOKEN', 'POLICY', 'THING']), id: z.string() }),
  reason: z.string(),
});

export const defenderRoutes = [
  route({
    operation: 'StartOnDemandAuditTask', method: 'GET', path: '/defender/audit', tag: 'defender',
    summary: 'Runs the audit now: certificates shared by several client ids, revoked certificates still trying to connect, overly permissive policies, things without a policy.',
    response: z.object({
      auditedAt: z.number().int().describe('epoch milliseconds'),
      findings: z.array(finding),
      summary: z.object(Object.fromEntries(auditChecks.map((c) => [c, z.number().int()])) as Record<(typeof auditChecks)[number], z.ZodNumber>),
    }),
    handle: (_input, { defender }) => defender.audit(),
  }),
  route({
    operation: 'ListBehaviors', method: 'GET', path: '/defender/behaviors', tag: 'defender',
    summary: 'The security profile: the behaviours every registered thing is checked against, on its metrics reports and on the cloud-side metrics the broker counts.',
    response: z.object({ behaviors: z.array(behavior) }),
    handle: async (_input, { defender }) => ({ behaviors: defender.listBehaviors() }),
  }),
  route({
    operation: 'UpdateBehaviors', method: 'PUT', path: '/defender/behaviors', tag: 'defender',
    summary: 'Replaces the behaviours (kept in the store). The active violations of a behaviour removed or changed are cleared.',
    body: z.strictObject({ behaviors }),
    response: z.object({ behaviors: z.array(behavior) }),
    handle: async ({ body }, { defender }) => {
      await defender.setBehaviors(body.behaviors);
      return { behaviors: body.behaviors };
    },
  }),
  route({
    operation: 'ListViolations', method: 'GET', path: '/defender/violations', tag: 'defender',
    summary: `Violations, active and cleared (history), newest first, at most ${MAX_LISTED}; optionally only one state or one thing's.`,
    query: z.strictObject({ state: z.enum(['active', 'cleared']).optional(), thing: thingName.optional() }),
    response: z.object({
      violations: z.array(z.object({
        id: z.string(), thing: z.string(), behavior: z.string(), metric: z.string(), value: z.number(),
        threshold: z.string().describe('the limit broken, as people read it: "> 100", "> p90 (42.5)"'),
        state: z.enum(['active', 'cleared']),
        startedAt: z.number().int().describe('epoch milliseconds'),
        clearedAt: z.number().int().optional().describe('epoch milliseconds'),
      })),
    }),
    handle: async ({ query }, { defender }) => ({ violations: await defender.violations.list(query) }),
  }),
];
