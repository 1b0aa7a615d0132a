/** Device Defender (cloud/defender/): the audit's findings; detect's behaviours and active violations. */
import { z } from 'zod';
import { auditChecks } from '../../defender/audit.js';
import { behavior, behaviors } from '../../defender/behaviors.js';
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
    summary: 'The static-threshold behaviours every device metrics report is checked against.',
    response: z.object({ behaviors: z.array(behavior) }),
    handle: async (_input, { defender }) => ({ behaviors: defender.metrics.listBehaviors() }),
  }),
  route({
    operation: 'UpdateBehaviors', method: 'PUT', path: '/defender/behaviors', tag: 'defender',
    summary: 'Replaces the behaviours (held in memory: not kept across restarts). A behaviour removed or changed closes its open violations without an event.',
    body: z.strictObject({ behaviors }),
    response: z.object({ behaviors: z.array(behavior) }),
    handle: async ({ body }, { defender }) => {
      defender.metrics.setBehaviors(body.behaviors);
      return { behaviors: body.behaviors };
    },
  }),
  route({
    operation: 'ListActiveViolations', method: 'GET', path: '/defender/violations', tag: 'defender',
    summary: 'Devices in alarm now, per behaviour, optionally of one thing.',
    query: z.strictObject({ thingName: thingName.optional() }),
    response: z.object({
      activeViolations: z.array(z.object({ violationId: z.string(), thingName: z.string(), behavior, metricValue: z.number().int(), violationStartTime: z.number().int() })),
    }),
    handle: async ({ query }, { defender }) => ({ activeViolations: defender.metrics.activeViolations(query.thingName) }),
  }),
];
