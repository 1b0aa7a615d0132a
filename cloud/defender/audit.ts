/**
 * Device Defender's audit: one pass over the registry, the policies and what the broker observed
 * (observations.ts) that returns a finding for each of four checks, named after AWS's:
 * - DEVICE_CERTIFICATE_SHARED_CHECK: a certificate (or device token) that connected as more than
 *   one client id since the cloud started: several devices hold the same credentials.
 * - REVOKED_CERTIFICATE_CONNECT_ATTEMPTS_CHECK: a REVOKED certificate that still tries to connect.
 * - IOT_POLICY_OVERLY_PERMISSIVE_CHECK: a policy that allows an action on every client, topic or
 *   topic filter (a resource that is nothing but a wildcard).
 * - THING_WITHOUT_POLICY_CHECK: a thing none of whose principals has a policy attached, so it runs
 *   under the default policy, or that has no principal at all.
 */
import type { Policies } from '../policy/policies.js';
import type { PolicyDocument } from '../policy/document.js';
import type { Database } from '../store/database.js';
import type { SecurityObservations } from './observations.js';

export const auditChecks = ['DEVICE_CERTIFICATE_SHARED_CHECK', 'REVOKED_CERTIFICATE_CONNECT_ATTEMPTS_CHECK', 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK', 'THING_WITHOUT_POLICY_CHECK'] as const;
export type AuditCheck = (typeof auditChecks)[number];

export interface AuditFinding {
  checkName: AuditCheck;
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  resource: { type: 'CERTIFICATE' | 'DEVICE_TOKEN' | 'POLICY' | 'THING'; id: string };
  reason: string;
}

export interface AuditReport {
  /** Epoch ms. */
  auditedAt: number;
  findings: AuditFinding[];
  /** Findings per check, every check listed (0 when it found nothing). */
  summary: Record<AuditCheck, number>;
}

const principalType = (principal: string) => (principal.startsWith('tok-') ? 'DEVICE_TOKEN' : 'CERTIFICATE');

/** `*`, `topic/#`, `arn:aws:iot:r:a:client/*`: the whole of its kind. */
const isWildcardResource = (resource: string) => /^(arn:[^:]*:iot:[^:]*:[^:]*:)?((client|topic|topicfilter)\/)?[*#]$/.test(resource);

/** The first Allow statement's broad grant, described, if the document has one. */
function broadGrant(document: PolicyDocument): string | undefined {
  for (const statement of document.Statement) {
    if (statement.Effect !== 'Allow') continue;
    const resource = statement.Resource.find(isWildcardResource);
    if (resource !== undefined) return `allows ${statement.Action.join(', ')} on ${resource}`;
  }
  return undefined;
}

export async function runAudit(db: Database, policies: Policies, observed: SecurityObservations): Promise<AuditReport> {
  const findings: AuditFinding[] = [];

  for (const { principal, clientIds } of observed.sharedPrincipals()) {
    findings.push({ checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', severity: 'CRITICAL', resource: { type: principalType(principal), id: principal }, reason: `connected as ${clientIds.length} client ids: ${clientIds.join(', ')}` });
  }

  const revoked = new Set((await db.all<{ id: string }>("SELECT id FROM certificates WHERE status = 'REVOKED'")).map((r) => r.id));
  for (const [certificateId, seen] of [...observed.revokedAttempts()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!revoked.has(certificateId)) continue; // reinstated or deleted since
    findings.push({
      checkName: 'REVOKED_CERTIFICATE_CONNECT_ATTEMPTS_CHECK', severity: 'MEDIUM', resource: { type: 'CERTIFICATE', id: certificateId },
      reason: `revoked, yet ${seen.attempts} connection attempt(s) as ${seen.clientIds.join(', ')}, the last at ${new Date(seen.lastAttempt).toISOString()}`,
    });
  }

  for (const policy of await policies.list()) {
    const grant = broadGrant(policy.policyDocument);
    if (grant !== undefined) findings.push({ checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK', severity: 'CRITICAL', resource: { type: 'POLICY', id: policy.policyName }, reason: grant });
  }

  const unguarded = await db.all<{ name: string; principals: number }>(
    'SELECT t.name, (SELECT COUNT(*) FROM thing_principals tp WHERE tp.thing_name = t.name) AS principals FROM things t ' +
      'WHERE NOT EXISTS (SELECT 1 FROM thing_principals tp JOIN policy_targets pt ON pt.target = tp.principal WHERE tp.thing_name = t.name) ORDER BY t.name',
  );
  for (const { name, principals } of unguarded) {
    const reason = Number(principals) === 0 ? 'has no certificate or device token attached' : `none of its ${Number(principals)} principal(s) has a policy attached: the default policy applies`;
    findings.push({ checkName: 'THING_WITHOUT_POLICY_CHECK', severity: 'LOW', resource: { type: 'THING', id: name }, reason });
  }

  const summary = Object.fromEntries(auditChecks.map((check) => [check, findings.filter((f) => f.checkName === check).length])) as Record<AuditCheck, number>;
  return { auditedAt: Date.now(), findings, summary };
}
