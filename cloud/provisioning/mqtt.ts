/**
 * Fleet provisioning on MQTT: requests on `$aws/certificates/create[-from-csr]/{fmt}` and
 * `$aws/provisioning-templates/{template}/provision/{fmt}` (JSON or CBOR, as the topic says),
 * answered on the request topic plus `/accepted` or `/rejected` in the same format, to the
 * requesting connection only: the answers carry private keys and ownership tokens.
 */
import type { MessageBus } from '../bus.js';
import { cborFormat, jsonFormat } from '../../sdk/request.js';
import type { ProvisioningAnswer, ProvisioningService } from './service.js';
import { parseProvisioningTopic, provisioningRequestFilters } from './topics.js';

export function bindProvisioning(bus: MessageBus, service: ProvisioningService, onError: (error: Error) => void): void {
  const handle = async (topic: string, payload: Buffer, sessionId: string) => {
    const request = parseProvisioningTopic(topic);
    if (request === undefined) return;
    const format = request.format === 'cbor' ? cborFormat : jsonFormat;
    let body: unknown;
    let answer: ProvisioningAnswer | undefined;
    try {
      body = payload.length === 0 ? undefined : format.decode(payload);
    } catch {
      answer = { accepted: false, payload: { statusCode: 400, errorCode: 'InvalidPayload', errorMessage: `The payload is not valid ${request.format.toUpperCase()}` } };
    }
    if (answer === undefined) {
      if (request.operation === 'register-thing') answer = await service.registerThing(request.templateName, body);
      else if (request.operation === 'create-keys') answer = await service.createKeysAndCertificate(body);
      else answer = await service.createCertificateFromCsr(body);
    }
    await bus.publish(`${topic}/${answer.accepted ? 'accepted' : 'rejected'}`, Buffer.from(format.encode(answer.payload)), { qos: 1, to: sessionId });
  };
  for (const filter of provisioningRequestFilters) {
    bus.subscribe(filter, (topic, payload, origin) => {
      // Only devices ask; the cloud's own messages on these topics are not requests.
      if (origin !== undefined) void handle(topic, payload, origin.sessionId).catch(onError);
    });
  }
}
