/**
 * Fleet provisioning's MQTT topics ({fmt} = json | cbor): requests on
 * `$aws/certificates/create/{fmt}`, `$aws/certificates/create-from-csr/{fmt}` and
 * `$aws/provisioning-templates/{template}/provision/{fmt}`, answers on the request topic plus
 * `/accepted` or `/rejected`.
 */
export type ProvisioningRequest =
  | { operation: 'create-keys' | 'create-from-csr'; format: 'json' | 'cbor' }
  | { operation: 'register-thing'; format: 'json' | 'cbor'; templateName: string };

const certificates = /^\$aws\/certificates\/(create|create-from-csr)\/(json|cbor)$/;
const provision = /^\$aws\/provisioning-templates\/([0-9A-Za-z_-]{1,36})\/provision\/(json|cbor)$/;

/** The request a topic carries, or undefined if it is not a provisioning request topic. */
export function parseProvisioningTopic(topic: string): ProvisioningRequest | undefined {
  const certificate = certificates.exec(topic);
  if (certificate) return { operation: certificate[1] === 'create' ? 'create-keys' : 'create-from-csr', format: certificate[2] as 'json' | 'cbor' };
  const register = provision.exec(topic);
  if (register) return { operation: 'register-thing', templateName: register[1]!, format: register[2] as 'json' | 'cbor' };
  return undefined;
}

/** The filters the service subscribes to. */
export const provisioningRequestFilters = ['$aws/certificates/+/+', '$aws/provisioning-templates/+/provision/+'] as const;
