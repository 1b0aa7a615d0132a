/**
 * Fleet provisioning by claim, as AWS IoT: a device connected with a claim certificate asks for
 * its own certificate (CreateKeysAndCertificate, or CreateCertificateFromCsr keeping its key),
 * which is registered PENDING_ACTIVATION with an ownership token valid one hour; RegisterThing
 * then spends the token on a template: the thing is created (or updated as the template's
 * OverrideSettings say), put in its groups, the certificate attached to it and activated, and the
 * template's policy attached to the certificate, all in one transaction.
 *
 * Transport-free: answers are `{accepted, payload}`; mqtt.ts carries them. Refusals are AWS's
 * `{statusCode, errorCode, errorMessage}`.
 */
import { createHash } from 'node:crypto';
import { CloudError } from '../errors.js';
import type { CertificateAuthority } from '../identity/ca.js';
import type { Policies } from '../policy/policies.js';
import type { Registry } from '../registry/registry.js';
import { hashSecret, newSecret } from '../secrets.js';
import type { Database, Queryable } from '../store/database.js';
import { planRegistration, TemplateError, type Plan } from './template.js';
import type { ProvisioningTemplates } from './templates.js';

export const OWNERSHIP_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export interface Refusal {
  statusCode: number;
  errorCode: string;
  errorMessage: string;
}

export type ProvisioningAnswer = { accepted: true; payload: object } | { accepted: false; payload: Refusal };

const refuse = (statusCode: number, errorCode: string, errorMessage: string): ProvisioningAnswer => ({ accepted: false, payload: { statusCode, errorCode, errorMessage } });
const invalidToken = () => refuse(400, 'InvalidCertificateOwnershipToken', 'Certificate ownership token is invalid or expired');

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export interface ProvisioningOptions {
  /** Clock in epoch ms (tests move it past the token's hour). */
  now?: () => number;
  onError?: (error: Error) => void;
}

export class ProvisioningService {
  private readonly now: () => number;
  constructor(
    private readonly db: Database,
    private readonly registry: Registry,
    private readonly policies: Policies,
    private readonly ca: CertificateAuthority,
    private readonly templates: ProvisioningTemplates,
    private readonly options: ProvisioningOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** `request` is the decoded payload; an empty one means `{}`. */
  async createKeysAndCertificate(request: unknown): Promise<ProvisioningAnswer> {
    if (request !== undefined && !isObject(request)) return refuse(400, 'InvalidPayload', 'The payload must be an object');
    return this.guard(async () => {
      const made = await this.ca.createKeysAndCertificate();
      const { certificateId, certificateOwnershipToken } = await this.registerPending(made.certificatePem);
      return { accepted: true, payload: { certificateId, certificatePem: made.certificatePem, privateKey: made.privateKeyPem, certificateOwnershipToken } };
    });
  }

  async createCertificateFromCsr(request: unknown): Promise<ProvisioningAnswer> {
    if (!isObject(request) || typeof request.certificateSigningRequest !== 'string') return refuse(400, 'InvalidCsr', 'The certificate signing request is not valid');
    const csr = request.certificateSigningRequest;
    return this.guard(async () => {
      let certificatePem: string;
      try {
        certificatePem = await this.ca.signRequest(csr);
      } catch (error) {
        if (error instanceof CloudError) return refuse(400, 'InvalidCsr', 'The certificate signing request is not valid');
        throw error;
      }
      const { certificateId, certificateOwnershipToken } = await this.registerPending(certificatePem);
      return { accepted: true, payload: { certificateOwnershipToken, certificateId, certificatePem } };
    });
  }

  async registerThing(templateName: string, request: unknown): Promise<ProvisioningAnswer> {
    if (!isObject(request)) return refuse(400, 'InvalidPayload', 'The payload must be an object');
    const { certificateOwnershipToken: token, parameters = {} } = request;
    if (typeof token !== 'string') return invalidToken();
    if (!isObject(parameters) || !Object.values(parameters).every((v) => typeof v === 'string')) return refuse(400, 'InvalidParameters', 'parameters must be a map of strings');
    return this.guard(async () => {
      const template = await this.templates.get(templateName).catch(() => undefined);
      if (template === undefined) return refuse(404, 'ResourceNotFound', `Template ${templateName} not found`);
      if (!template.enabled) return refuse(403, 'Forbidden', `Template ${templateName} is disabled`);
      const grant = await this.db.get<{ certificate_id: string; expires_at: number }>('SELECT certificate_id, expires_at FROM ownership_tokens WHERE token_hash = ?', [hashSecret(token)]);
      if (grant === undefined || grant.expires_at <= this.now()) return invalidToken();
      let plan: Plan;
      try {
        plan = planRegistration(template.templateBody, parameters as Record<string, string>, grant.certificate_id);
      } catch (error) {
        if (error instanceof TemplateError) return refuse(400, error.errorCode, error.message);
        throw error;
      }
      try {
        const spent = await this.db.transaction(async (tx) => {
          // Spending the token first makes a second RegisterThing with it fail, even a concurrent one.
          const { changes } = await tx.run('DELETE FROM ownership_tokens WHERE token_hash = ? AND expires_at > ?', [hashSecret(token), this.now()]);
          if (changes === 0) return false;
          await this.apply(tx, plan, templateName, grant.certificate_id);
          return true;
        });
        if (!spent) return invalidToken();
      } catch (error) {
        if (error instanceof CloudError) return refuse(error.status, error.code.replace(/Exception$/, ''), error.message);
        throw error;
      }
      return { accepted: true, payload: { deviceConfiguration: plan.deviceConfiguration, thingName: plan.thing!.thingName } };
    });
  }

  /**
   * A claim certificate for `templateName` (an admin's step, not AWS's MQTT API): ACTIVE, with
   * the policy `<template>-claim` that allows any client id to connect and use only the
   * provisioning topics of this template. Devices are built with it, and trade it for their own.
   */
  async createClaimCertificate(templateName: string): Promise<{ certificateId: string; certificatePem: string; privateKeyPem: string; policyName: string }> {
    await this.templates.get(templateName);
    const made = await this.ca.createKeysAndCertificate(`${templateName} claim`);
    const policyName = `${templateName}-claim`;
    const topics = ['$aws/certificates/create/*', '$aws/certificates/create-from-csr/*', `$aws/provisioning-templates/${templateName}/provision/*`];
    const document = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iot:Connect'], Resource: ['client/*'] },
        { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: topics.map((t) => `topic/${t}`) },
        { Effect: 'Allow', Action: ['iot:Subscribe'], Resource: topics.map((t) => `topicfilter/${t}`) },
      ],
    };
    const certificate = await this.db.transaction(async (tx) => {
      if ((await this.policies.get(policyName, tx).catch(() => undefined)) === undefined) await this.policies.create(policyName, document, tx);
      const registered = await this.registry.principals.registerCertificate(made.certificatePem, 'ACTIVE', tx);
      await this.policies.attach(policyName, registered.certificateId, tx);
      return registered;
    });
    return { certificateId: certificate.certificateId, certificatePem: made.certificatePem, privateKeyPem: made.privateKeyPem, policyName };
  }

  /** The template's resources, inside the caller's transaction. */
  private async apply(tx: Queryable, plan: Plan, templateName: string, certificateId: string): Promise<void> {
    const { things, groups, principals } = this.registry;
    const thing = plan.thing!;
    const existing = await things.describe(thing.thingName, tx).catch(() => undefined);
    if (existing === undefined) {
      await things.create({ thingName: thing.thingName, ...(thing.thingTypeName && { thingTypeName: thing.thingTypeName }), attributes: thing.attributes }, tx);
      for (const group of thing.groups) await groups.addThing(group, thing.thingName, tx);
    } else {
      const { AttributePayload = 'DO_NOTHING', ThingTypeName = 'DO_NOTHING', ThingGroups = 'DO_NOTHING' } = thing.overrides;
      if ([AttributePayload, ThingTypeName, ThingGroups].includes('FAIL')) throw new CloudError('ResourceAlreadyExistsException', `thing ${thing.thingName} already exists`);
      const update: { attributes?: Record<string, string | null>; thingTypeName?: string | null } = {};
      if (AttributePayload === 'MERGE') update.attributes = thing.attributes;
      if (AttributePayload === 'REPLACE') update.attributes = { ...Object.fromEntries(Object.keys(existing.attributes).map((k) => [k, null])), ...thing.attributes };
      if (ThingTypeName === 'REPLACE') update.thingTypeName = thing.thingTypeName ?? null;
      if (Object.keys(update).length > 0) await things.updateIn(tx, thing.thingName, update);
      if (ThingGroups === 'MERGE') for (const group of thing.groups) await groups.addThing(group, thing.thingName, tx);
    }
    await principals.attach(thing.thingName, certificateId, tx);
    await principals.setCertificateStatus(certificateId, plan.certificateStatus, tx);
    if (plan.policy === undefined) return;
    let policyName: string;
    if ('policyName' in plan.policy) {
      policyName = plan.policy.policyName;
    } else {
      // An inline document becomes a policy named after the template and the document.
      policyName = `${templateName}-${createHash('sha256').update(plan.policy.policyDocument).digest('hex').slice(0, 16)}`;
      const known = await this.policies.get(policyName, tx).catch(() => undefined);
      if (known === undefined) await this.policies.create(policyName, plan.policy.policyDocument, tx);
    }
    await this.policies.attach(policyName, certificateId, tx);
  }

  private async registerPending(certificatePem: string): Promise<{ certificateId: string; certificateOwnershipToken: string }> {
    const certificateOwnershipToken = newSecret();
    const certificate = await this.db.transaction(async (tx) => {
      const registered = await this.registry.principals.registerCertificate(certificatePem, 'PENDING_ACTIVATION', tx);
      await tx.run('INSERT INTO ownership_tokens (token_hash, certificate_id, expires_at) VALUES (?, ?, ?)', [hashSecret(certificateOwnershipToken), registered.certificateId, this.now() + OWNERSHIP_TOKEN_LIFETIME_MS]);
      return registered;
    });
    return { certificateId: certificate.certificateId, certificateOwnershipToken };
  }

  /** Failures that are not refusals: 500 InternalFailure, reported. */
  private async guard(work: () => Promise<ProvisioningAnswer>): Promise<ProvisioningAnswer> {
    try {
      return await work();
    } catch (error) {
      this.options.onError?.(error as Error);
      return refuse(500, 'InternalFailure', 'Internal failure');
    }
  }
}
