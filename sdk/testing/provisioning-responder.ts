/**
 * FOR TESTS ONLY: AWS IoT fleet provisioning's MQTT API, written from the spec
 * (shared/specs/aws-iot-contracts.md, "Fleet provisioning"; JSON and CBOR), until mote's cloud provides
 * it. Certificates are opaque labelled strings, not real X.509: the device side only carries
 * them. Ownership tokens are single-use and expire after an hour of the responder's clock.
 * Refusals are `{statusCode, errorCode, errorMessage}`. Engine-neutral.
 */
import { cborFormat, jsonFormat } from '../request.js';
import type { Message, MqttConnection } from '../mqtt/connection.js';

export interface ResponderTemplate {
  /** Parameters RegisterThing must be given. */
  required: string[];
  /** The thing's name from the parameters. */
  thingName: (parameters: { [name: string]: string }) => string;
  deviceConfiguration?: { [key: string]: string };
}

export class ProvisioningResponder {
  readonly templates: { [name: string]: ResponderTemplate } = {};
  /** Things registered: name -> certificate id. */
  readonly things: { [name: string]: string } = {};
  private readonly tokens: { [token: string]: { certificateId: string; issuedAt: number } } = {};
  private serial = 0;

  constructor(
    private readonly connection: MqttConnection,
    private readonly now: () => number = () => Date.now(),
  ) {
    connection.subscribe('$aws/certificates/+/+', (m) => this.onRequest(m));
    connection.subscribe('$aws/provisioning-templates/+/provision/+', (m) => this.onRequest(m));
  }

  private onRequest(message: Message): void {
    const levels = message.topic.split('/');
    const format = levels[levels.length - 1] === 'cbor' ? cborFormat : levels[levels.length - 1] === 'json' ? jsonFormat : undefined;
    if (!format) return;
    const reply = (suffix: string, body: object) => this.connection.publish(`${message.topic}/${suffix}`, format.encode(body), { qos: 1 });
    const refuse = (statusCode: number, errorCode: string, errorMessage: string) => reply('rejected', { statusCode, errorCode, errorMessage });
    let request: { [key: string]: any };
    try {
      request = format.decode(message.payload) as { [key: string]: any };
      if (request === null || typeof request !== 'object') throw new Error('not an object');
    } catch (_) {
      return refuse(400, 'InvalidPayload', 'The payload is not an object in the topic\'s format');
    }
    if (levels[1] === 'certificates') {
      const fromCsr = levels[2] === 'create-from-csr';
      if (fromCsr && (typeof request.certificateSigningRequest !== 'string' || request.certificateSigningRequest.indexOf('-----BEGIN CERTIFICATE REQUEST-----') !== 0)) {
        return refuse(400, 'InvalidCsr', 'The certificate signing request is not valid');
      }
      const certificateId = `cert${++this.serial}`;
      const certificateOwnershipToken = `token-${certificateId}-${this.now()}`;
      this.tokens[certificateOwnershipToken] = { certificateId, issuedAt: this.now() };
      const certificatePem = `-----BEGIN CERTIFICATE-----\n${certificateId}\n-----END CERTIFICATE-----\n`;
      return reply('accepted', fromCsr
        ? { certificateOwnershipToken, certificateId, certificatePem }
        : { certificateId, certificatePem, privateKey: `-----BEGIN RSA PRIVATE KEY-----\n${certificateId}\n-----END RSA PRIVATE KEY-----\n`, certificateOwnershipToken });
    }
    const template = this.templates[levels[2]!];
    if (!template) return refuse(404, 'ResourceNotFound', `Template ${levels[2]} not found`);
    const grant = this.tokens[request.certificateOwnershipToken];
    if (!grant || this.now() - grant.issuedAt > 3600_000) return refuse(400, 'InvalidCertificateOwnershipToken', 'Certificate ownership token is invalid or expired');
    const parameters: { [name: string]: string } = request.parameters || {};
    for (const name of template.required) if (typeof parameters[name] !== 'string') return refuse(400, 'InvalidParameters', `Missing parameter: ${name}`);
    delete this.tokens[request.certificateOwnershipToken];
    const thingName = template.thingName(parameters);
    this.things[thingName] = grant.certificateId;
    reply('accepted', { deviceConfiguration: template.deviceConfiguration || {}, thingName });
  }
}
