/** Fleet provisioning templates (AWS's CreateProvisioningTemplate and friends) and claim certificates. */
import { z } from 'zod';
import { createTemplate, templateName, updateTemplate } from '../../provisioning/templates.js';
import { route } from '../route.js';

const params = z.strictObject({ templateName });
const template = z.object({
  templateName: z.string(),
  description: z.string().optional(),
  templateBody: z.record(z.string(), z.unknown()).describe('Parameters, Mappings, Resources, DeviceConfiguration'),
  enabled: z.boolean(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});

export const provisioningRoutes = [
  route({
    operation: 'ListProvisioningTemplates', method: 'GET', path: '/provisioning-templates', tag: 'fleet provisioning', summary: 'All provisioning templates.',
    response: z.object({ templates: z.array(template) }),
    handle: async (_input, { templates }) => ({ templates: await templates.list() }),
  }),
  route({
    operation: 'CreateProvisioningTemplate', method: 'POST', path: '/provisioning-templates', tag: 'fleet provisioning',
    summary: 'Creates a template (disabled unless `enabled` is true, as AWS); the body is checked: supported functions, declared parameters, one thing.',
    body: createTemplate, status: 201, response: template,
    handle: ({ body }, { templates }) => templates.create(body),
  }),
  route({
    operation: 'DescribeProvisioningTemplate', method: 'GET', path: '/provisioning-templates/{templateName}', tag: 'fleet provisioning', summary: 'One template.',
    params, response: template,
    handle: ({ params }, { templates }) => templates.get(params.templateName),
  }),
  route({
    operation: 'UpdateProvisioningTemplate', method: 'PATCH', path: '/provisioning-templates/{templateName}', tag: 'fleet provisioning', summary: 'Changes a template: description, body, enabled.',
    params, body: updateTemplate, response: template,
    handle: ({ params, body }, { templates }) => templates.update(params.templateName, body),
  }),
  route({
    operation: 'DeleteProvisioningTemplate', method: 'DELETE', path: '/provisioning-templates/{templateName}', tag: 'fleet provisioning', summary: 'Deletes a template.',
    params,
    handle: ({ params }, { templates }) => templates.delete(params.templateName),
  }),
  route({
    operation: 'CreateClaimCertificate', method: 'POST', path: '/provisioning-templates/{templateName}/claim-certificate', tag: 'fleet provisioning',
    summary: "A claim certificate for the template, ACTIVE, with the policy `<template>-claim` (connect, and the template's provisioning topics only). The private key is in this answer only.",
    params, status: 201,
    response: z.object({ certificateId: z.string(), certificatePem: z.string(), keyPair: z.object({ PrivateKey: z.string() }), policyName: z.string() }),
    handle: async ({ params }, { provisioning }) => {
      const claim = await provisioning.createClaimCertificate(params.templateName);
      return { certificateId: claim.certificateId, certificatePem: claim.certificatePem, keyPair: { PrivateKey: claim.privateKeyPem }, policyName: claim.policyName };
    },
  }),
];
