/** Topic rules (AWS's CreateTopicRule, ReplaceTopicRule, EnableTopicRule, ...), run by cloud/rules/engine.ts. */
import { z } from 'zod';
import { ruleAction, ruleName, rulePayload } from '../../rules/rule.js';
import { route } from '../route.js';

const params = z.strictObject({ ruleName });
const rule = z.object({
  ruleName: z.string(), sql: z.string(), awsIotSqlVersion: z.string().optional(), description: z.string().optional(),
  actions: z.array(ruleAction), errorAction: ruleAction.optional(), ruleDisabled: z.boolean(),
  createdAt: z.number().int().describe('epoch milliseconds'), updatedAt: z.number().int().describe('epoch milliseconds'),
});

export const ruleRoutes = [
  route({
    operation: 'ListTopicRules', method: 'GET', path: '/rules', tag: 'rules', summary: 'All topic rules.',
    response: z.object({ rules: z.array(rule) }),
    handle: async (_input, { rules }) => ({ rules: rules.list() }),
  }),
  route({
    operation: 'CreateTopicRule', method: 'POST', path: '/rules', tag: 'rules',
    summary: 'Creates a rule; it acts on the next matching message unless ruleDisabled. A malformed SQL statement or template is refused with its line:column.',
    body: rulePayload.extend({ ruleName }),
    status: 201, response: rule,
    handle: ({ body: { ruleName: name, ...payload } }, { rules }) => rules.create(name, payload),
  }),
  route({
    operation: 'GetTopicRule', method: 'GET', path: '/rules/{ruleName}', tag: 'rules', summary: 'One rule.',
    params, response: rule,
    handle: async ({ params: p }, { rules }) => rules.get(p.ruleName),
  }),
  route({
    operation: 'ReplaceTopicRule', method: 'PUT', path: '/rules/{ruleName}', tag: 'rules', summary: 'Replaces a rule\'s SQL, actions and error action.',
    params, body: rulePayload, response: rule,
    handle: ({ params: p, body }, { rules }) => rules.replace(p.ruleName, body),
  }),
  route({
    operation: 'EnableTopicRule', method: 'POST', path: '/rules/{ruleName}/enable', tag: 'rules', summary: 'Enables a rule.',
    params, response: rule,
    handle: ({ params: p }, { rules }) => rules.setEnabled(p.ruleName, true),
  }),
  route({
    operation: 'DisableTopicRule', method: 'POST', path: '/rules/{ruleName}/disable', tag: 'rules', summary: 'Disables a rule: messages no longer reach it.',
    params, response: rule,
    handle: ({ params: p }, { rules }) => rules.setEnabled(p.ruleName, false),
  }),
  route({
    operation: 'DeleteTopicRule', method: 'DELETE', path: '/rules/{ruleName}', tag: 'rules', summary: 'Deletes a rule.',
    params,
    handle: ({ params: p }, { rules }) => rules.delete(p.ruleName),
  }),
];
