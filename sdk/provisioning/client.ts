/**
 * Fleet provisioning by claim (AWS IoT): a device connected with the claim certificate gets its
 * own certificate, then registers itself as a thing through a provisioning template.
 *
 * Requests ({fmt} = json or cbor) and their accepted answers:
 * - createKeysAndCertificate: `$aws/certificates/create/{fmt}` (empty object)
 *   -> {certificateId, certificatePem, privateKey, certificateOwnershipToken}
 * - createCertificateFromCsr: `$aws/certificates/create-from-csr/{fmt}` {certificateSigningRequest}
 *   -> {certificateOwnershipToken, certificateId, certificatePem}
 * - registerThing: `$aws/provisioning-templates/{template}/provision/{fmt}` {certificateOwnershipToken, parameters}
 *   -> {deviceConfiguration, thingName}
 *
 * Answers come on `.../accepted` or `.../rejected`; these APIs carry no client token, so a topic's
 * answers are matched to its requests in order, and the answer topics are released once answered.
 * A refusal `{statusCode, errorCode, errorMessage}` becomes a ServiceError with `code` = errorCode
 * and `statusCode`. The ownership token expires an hour after it is issued: register promptly.
 * `provisionByClaim` chains the two steps.
 */
import type { Kernel } from '../../firmware/kernel/kernel.js';
import type { Op } from '../../firmware/kernel/task.js';
import type { MqttConnection } from '../mqtt/connection.js';
import { awaitRequest, cborFormat, jsonFormat, Requests, serviceError, type Answer, type Cancel, type ServiceError } from '../request.js';
import type { Outcome } from '../wait.js';

export interface CreatedCertificate {
  certificateId: string;
  certificatePem: string;
  /** Only from createKeysAndCertificate: the device never had the key before. */
  privateKey?: string;
  certificateOwnershipToken: string;
}

export interface RegisterRequest {
  certificateOwnershipToken: string;
  parameters?: { [name: string]: string };
}

export interface Registered {
  thingName: string;
  deviceConfiguration: { [key: string]: string };
}

export interface ProvisioningError extends ServiceError {
  statusCode?: number;
}

export interface FleetProvisioningOptions {
  /** The payload format, also the topics' last level. Default 'json'. */
  format?: 'json' | 'cbor';
}

function rejected(document: { statusCode?: number; errorCode?: string; errorMessage?: string }): ProvisioningError {
  const error: ProvisioningError = serviceError(
    typeof document.errorMessage === 'string' ? document.errorMessage : 'rejected',
    typeof document.errorCode === 'string' ? document.errorCode : 'Rejected',
    document,
  );
  if (typeof document.statusCode === 'number') error.statusCode = document.statusCode;
  return error;
}

/** AWS's rule for template names: 1-36 letters, digits, '-' or '_'. */
function templateTopic(template: string): string {
  if (typeof template !== 'string' || !/^[0-9A-Za-z_-]{1,36}$/.test(template)) throw new Error(`template name must be 1-36 letters, digits, '-' or '_': ${JSON.stringify(template)}`);
  return `$aws/provisioning-templates/${template}/provision`;
}

export class FleetProvisioning {
  private readonly requests: Requests;
  private readonly fmt: string;

  constructor(connection: MqttConnection, options: FleetProvisioningOptions = {}) {
    this.fmt = options.format || 'json';
    this.requests = new Requests(connection, { rejected, tokenField: null, format: this.fmt === 'cbor' ? cborFormat : jsonFormat });
  }

  createKeysAndCertificate(done: Answer<CreatedCertificate>): Cancel {
    return this.requests.send(`$aws/certificates/create/${this.fmt}`, {}, done, false);
  }

  /** `csr`: a PEM certificate signing request whose key never leaves the device. */
  createCertificateFromCsr(csr: string, done: Answer<CreatedCertificate>): Cancel {
    return this.requests.send(`$aws/certificates/create-from-csr/${this.fmt}`, { certificateSigningRequest: csr }, done, false);
  }

  registerThing(template: string, request: RegisterRequest, done: Answer<Registered>): Cancel {
    const body: { [key: string]: unknown } = { certificateOwnershipToken: request.certificateOwnershipToken };
    if (request.parameters) body.parameters = request.parameters;
    return this.requests.send(`${templateTopic(template)}/${this.fmt}`, body, done, false);
  }

  *createKeysAndCertificateBlocking(kernel: Kernel, ticksToWait: number): Op<Outcome<CreatedCertificate>> {
    return yield* awaitRequest<CreatedCertificate>(kernel, (done) => this.createKeysAndCertificate(done), ticksToWait);
  }

  *createCertificateFromCsrBlocking(kernel: Kernel, csr: string, ticksToWait: number): Op<Outcome<CreatedCertificate>> {
    return yield* awaitRequest<CreatedCertificate>(kernel, (done) => this.createCertificateFromCsr(csr, done), ticksToWait);
  }

  *registerThingBlocking(kernel: Kernel, template: string, request: RegisterRequest, ticksToWait: number): Op<Outcome<Registered>> {
    return yield* awaitRequest<Registered>(kernel, (done) => this.registerThing(template, request, done), ticksToWait);
  }
}

export interface ClaimOptions {
  template: string;
  parameters?: { [name: string]: string };
  /** Use CreateCertificateFromCsr with this CSR instead of CreateKeysAndCertificate. */
  csr?: string;
}

export interface Provisioned {
  certificate: CreatedCertificate;
  thing: Registered;
}

/**
 * The whole flow: a certificate (new keys, or from `csr`), then RegisterThing with it. The caller
 * stores the certificate and key (and reconnects with them); a failure names the step.
 */
export function provisionByClaim(provisioning: FleetProvisioning, options: ClaimOptions, done: Answer<Provisioned>): void {
  const created: Answer<CreatedCertificate> = (error, certificate) => {
    if (error || !certificate) return done(error || new Error('no certificate'));
    provisioning.registerThing(options.template, { certificateOwnershipToken: certificate.certificateOwnershipToken, parameters: options.parameters }, (error, thing) => {
      if (error || !thing) return done(error || new Error('no thing'));
      done(undefined, { certificate, thing });
    });
  };
  if (options.csr !== undefined) provisioning.createCertificateFromCsr(options.csr, created);
  else provisioning.createKeysAndCertificate(created);
}
