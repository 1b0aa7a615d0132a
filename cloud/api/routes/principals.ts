/** Certificates and device tokens, and their attachment to things. */
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { issueCertificate } from '../../identity/issue.js';
import { certificateStatuses, type CertificateStatus } from '../../registry/principals.js';
import { thingName } from '../../registry/schemas.js';
import { route, type ApiServices } from '../route.js';
import * as s from '../schemas.js';

const setAsActive = z.strictObject({ setAsActive: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').describe('register the certificate ACTIVE (default false, as AWS)') });

/** A certificate from the built-in CA, registered (and attached): AWS's answer, with the key when the CA made it. */
async function issue({ db, registry, ca }: ApiServices, active: boolean, thingName?: string, csrPem?: string) {
  const issued = await issueCertificate(db, registry, ca, { status: active ? 'ACTIVE' : 'INACTIVE', ...(thingName !== undefined && { thingName }), ...(csrPem !== undefined && { csrPem }) });
  const { certificateId, certificatePem } = issued.certificate;
  return { certificateId, certificatePem, ...(issued.privateKeyPem !== undefined && { keyPair: { PrivateKey: issued.privateKeyPem } }) };
}

export const principalRoutes = [
  route({
    operation: 'ListCertificates', method: 'GET', path: '/certificates', tag: 'certificates', summary: 'Registered device certificates, oldest first.',
    response: z.object({ certificates: z.array(s.certificate) }),
    handle: async (_input, { registry }) => ({ certificates: await registry.principals.listCertificates() }),
  }),
  route({
    operation: 'RegisterCertificate', method: 'POST', path: '/certificates', tag: 'certificates',
    summary: 'Registers a device certificate issued elsewhere (its id is the SHA-256 of its DER form).',
    body: z.strictObject({ certificatePem: z.string().min(1).max(16384), status: z.enum(certificateStatuses as [CertificateStatus, ...CertificateStatus[]]).optional() }),
    status: 201, response: s.certificate,
    handle: ({ body }, { registry }) => registry.principals.registerCertificate(body.certificatePem, body.status),
  }),
  route({
    operation: 'GetCACertificate', method: 'GET', path: '/ca-certificate', tag: 'certificates',
    summary: "The built-in CA's certificate: devices trust it for the broker's TLS listener, which trusts the device certificates it signs.",
    response: z.object({ certificatePem: z.string() }),
    handle: async (_input, { ca }) => ({ certificatePem: ca.certificatePem }),
  }),
  route({
    operation: 'CreateKeysAndCertificate', method: 'POST', path: '/keys-and-certificate', tag: 'certificates',
    summary: 'Makes an RSA 2048 key pair and a client certificate from the built-in CA, registered (ACTIVE with `setAsActive=true`, else INACTIVE, as AWS) and optionally attached to a thing. The private key is in this answer only.',
    query: setAsActive, body: z.strictObject({ thingName: thingName.optional() }).optional(),
    status: 201, response: z.object({ certificateId: z.string(), certificatePem: z.string(), keyPair: z.object({ PrivateKey: z.string() }) }),
    handle: ({ query, body }, services) => issue(services, query.setAsActive, body?.thingName),
  }),
  route({
    operation: 'CreateCertificateFromCsr', method: 'POST', path: '/certificates/from-csr', tag: 'certificates',
    summary: "Signs a PKCS#10 request (RSA or EC key) with the built-in CA and registers the certificate (ACTIVE with `setAsActive=true`), optionally attached to a thing; the device keeps its key.",
    query: setAsActive, body: z.strictObject({ certificateSigningRequest: z.string().min(1).max(16384), thingName: thingName.optional() }),
    status: 201, response: z.object({ certificateId: z.string(), certificatePem: z.string() }),
    handle: ({ query, body }, services) => issue(services, query.setAsActive, body.thingName, body.certificateSigningRequest),
  }),
  route({
    operation: 'DescribeCertificate', method: 'GET', path: '/certificates/{certificateId}', tag: 'certificates', summary: 'One certificate.',
    params: s.params.certificate, response: s.certificate,
    handle: ({ params }, { registry }) => registry.principals.describeCertificate(params.certificateId),
  }),
  route({
    operation: 'UpdateCertificate', method: 'PATCH', path: '/certificates/{certificateId}', tag: 'certificates',
    summary: 'Sets a certificate ACTIVE, INACTIVE or REVOKED; connections using a certificate that is no longer ACTIVE are closed, and refused from then on.',
    params: s.params.certificate, body: z.strictObject({ status: z.enum(certificateStatuses as [CertificateStatus, ...CertificateStatus[]]) }), response: s.certificate,
    handle: async ({ params, body }, { registry, disconnect }) => {
      await registry.principals.setCertificateStatus(params.certificateId, body.status);
      if (body.status !== 'ACTIVE') disconnect?.(params.certificateId, `certificate ${params.certificateId} is ${body.status}`);
      return registry.principals.describeCertificate(params.certificateId);
    },
  }),
  route({
    operation: 'DeleteCertificate', method: 'DELETE', path: '/certificates/{certificateId}', tag: 'certificates', summary: 'Deletes a certificate that is not ACTIVE and attached to no thing.',
    params: s.params.certificate,
    handle: ({ params }, { registry }) => registry.principals.deleteCertificate(params.certificateId),
  }),

  route({
    operation: 'ListDeviceTokens', method: 'GET', path: '/device-tokens', tag: 'device tokens', summary: 'Device tokens (ids and status; the secrets are never shown again).',
    response: z.object({ deviceTokens: z.array(s.deviceToken) }),
    handle: async (_input, { registry }) => ({ deviceTokens: await registry.principals.listTokens() }),
  }),
  route({
    operation: 'CreateDeviceToken', method: 'POST', path: '/things/{thingName}/tokens', tag: 'device tokens',
    summary: 'Issues a device token attached to the thing; the token is in this answer only.',
    params: s.params.thing, status: 201, response: s.issuedToken,
    handle: ({ params }, { registry }) => registry.principals.createToken(params.thingName),
  }),
  route({
    operation: 'RevokeDeviceToken', method: 'POST', path: '/device-tokens/{tokenId}/revoke', tag: 'device tokens', summary: 'Revokes a device token: connections using it are closed, and refused from then on.',
    params: s.params.token,
    handle: async ({ params }, { registry, disconnect }) => {
      await registry.principals.revokeToken(params.tokenId);
      disconnect?.(params.tokenId, `device token ${params.tokenId} is revoked`);
    },
  }),

  route({
    operation: 'ListThingPrincipals', method: 'GET', path: '/things/{thingName}/principals', tag: 'things', summary: 'Certificates and device tokens attached to a thing.',
    params: s.params.thing, response: z.object({ principals: z.array(z.string()) }),
    handle: async ({ params }, { registry }) => {
      await registry.things.describe(params.thingName);
      return { principals: await registry.principals.principalsOf(params.thingName) };
    },
  }),
  route({
    operation: 'AttachThingPrincipal', method: 'PUT', path: '/things/{thingName}/principals/{principal}', tag: 'things', summary: 'Attaches a certificate or device token to a thing.',
    params: s.params.thingPrincipal,
    handle: ({ params }, { registry }) => registry.principals.attach(params.thingName, params.principal),
  }),
  route({
    operation: 'DetachThingPrincipal', method: 'DELETE', path: '/things/{thingName}/principals/{principal}', tag: 'things', summary: 'Detaches a certificate or device token from a thing.',
    params: s.params.thingPrincipal,
    handle: ({ params }, { registry }) => registry.principals.detach(params.thingName, params.principal),
  }),
];

/** Raises 404 unless `principal` is a registered certificate or device token. */
export async function requirePrincipal(principals: { exists(principal: string): Promise<boolean> }, principal: string): Promise<void> {
  if (!(await principals.exists(principal))) throw notFound(`principal ${principal}`);
}
