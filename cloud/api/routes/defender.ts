/** Device Defender (cloud/defender/): the audit's findings. */
import { z } from 'zod';
import { auditChecks } from '../../defender/audit.js';
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
];
