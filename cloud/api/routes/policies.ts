/** Policies and their attachment to principals (AWS's CreatePolicy, AttachPolicy, ...). */
import { z } from 'zod';
import { policyDocument, policyName } from '../../policy/document.js';
import { route } from '../route.js';
import * as s from '../schemas.js';
import { requirePrincipal } from './principals.js';

/** AWS takes the document as JSON text; an object is accepted too. Validated either way, field by field. */
const documentOrText = z.preprocess((value, context) => {
  if (typeof value !== 'string') return value;
  if (value.length > 20480) return void context.addIssue({ code: 'custom', message: 'a policy document is at most 20480 characters' });
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    context.addIssue({ code: 'custom', message: `not valid JSON: ${(error as Error).message}` });
  }
}, policyDocument).describe('the policy document, as an object or as its JSON text');

export const policyRoutes = [
  route({
    operation: 'ListPolicies', method: 'GET', path: '/policies', tag: 'policies', summary: 'All policies.',
    response: z.object({ policies: z.array(s.policy) }),
    handle: async (_input, { policies }) => ({ policies: await policies.list() }),
  }),
  route({
    operation: 'CreatePolicy', method: 'POST', path: '/policies', tag: 'policies',
    summary: 'Creates a policy; the document is an object or its JSON text, as AWS takes it.',
    body: z.strictObject({ policyName, policyDocument: documentOrText }),
    status: 201, response: s.policy,
    handle: ({ body }, { policies }) => policies.create(body.policyName, body.policyDocument),
  }),
  route({
    operation: 'GetPolicy', method: 'GET', path: '/policies/{policyName}', tag: 'policies', summary: 'One policy.',
    params: s.params.policy, response: s.policy,
    handle: ({ params }, { policies }) => policies.get(params.policyName),
  }),
  route({
    operation: 'DeletePolicy', method: 'DELETE', path: '/policies/{policyName}', tag: 'policies', summary: 'Deletes a policy and its attachments.',
    params: s.params.policy,
    handle: ({ params }, { policies }) => policies.delete(params.policyName),
  }),
  route({
    operation: 'ListTargetsForPolicy', method: 'GET', path: '/policies/{policyName}/targets', tag: 'policies', summary: 'Principals the policy is attached to.',
    params: s.params.policy, response: z.object({ targets: z.array(z.string()) }),
    handle: async ({ params }, { policies }) => ({ targets: await policies.targets(params.policyName) }),
  }),
  route({
    operation: 'AttachPolicy', method: 'PUT', path: '/policies/{policyName}/targets/{principal}', tag: 'policies',
    summary: 'Attaches a policy to a certificate or device token; a principal with policies attached no longer gets the default policy. Applies from its next connect.',
    params: s.params.policyTarget,
    handle: async ({ params }, { registry, policies }) => {
      await requirePrincipal(registry.principals, params.principal);
      await policies.attach(params.policyName, params.principal);
    },
  }),
  route({
    operation: 'DetachPolicy', method: 'DELETE', path: '/policies/{policyName}/targets/{principal}', tag: 'policies', summary: 'Detaches a policy from a principal.',
    params: s.params.policyTarget,
    handle: ({ params }, { policies }) => policies.detach(params.policyName, params.principal),
  }),
];
