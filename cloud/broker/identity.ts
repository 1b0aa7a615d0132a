/**
 * Who a connection is, decided at CONNECT: the principal it proved (a device token as the
 * password, or later a client certificate), the thing attached to that principal whose name
 * is the client id, and the policies that govern it (the default policy if none is attached).
 * Computed once per connection, so the per-message checks (broker/authorizer.ts) stay synchronous.
 */
import { defaultPolicy } from '../policy/default-policy.js';
import type { PolicyDocument } from '../policy/document.js';
import type { PolicyContext } from '../policy/evaluate.js';
import type { Policies } from '../policy/policies.js';
import type { Registry } from '../registry/registry.js';

export interface ConnectionIdentity extends PolicyContext {
  principal: string;
  sessionId: string;
  policies: PolicyDocument[];
}

export type Credentials = { token: string } | { certificateId: string };

/** The connection's identity, or why it is refused (to log; the client sees only "not authorized"). */
export async function identify(registry: Registry, policies: Policies, clientId: string, sessionId: string, credentials: Credentials): Promise<ConnectionIdentity | { refused: string }> {
  let principal: string;
  if ('token' in credentials) {
    const verdict = await registry.principals.verifyToken(credentials.token);
    if ('refused' in verdict) return { refused: `device token ${verdict.refused}` };
    principal = verdict.tokenId;
  } else {
    const status = await registry.principals.certificateStatus(credentials.certificateId);
    if (status === undefined) return { refused: `certificate ${credentials.certificateId} is not registered` };
    if (status !== 'ACTIVE') return { refused: `certificate ${credentials.certificateId} is ${status}` };
    principal = credentials.certificateId;
  }
  const attached = await registry.principals.thingsOf(principal);
  const thing = attached.includes(clientId) ? await registry.things.find(clientId) : undefined;
  const documents = await policies.documentsFor(principal);
  return {
    clientId,
    sessionId,
    principal,
    ...(thing && { thing: { thingName: thing.thingName, ...(thing.thingTypeName && { thingTypeName: thing.thingTypeName }), attributes: thing.attributes } }),
    policies: documents.length > 0 ? documents : [defaultPolicy],
  };
}
