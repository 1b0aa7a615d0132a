/** AWS IoT fleet provisioning by claim: CreateKeysAndCertificate / CreateCertificateFromCsr, then RegisterThing. */
export {
  FleetProvisioning, provisionByClaim, type ClaimOptions, type CreatedCertificate, type FleetProvisioningOptions, type Provisioned,
  type ProvisioningError, type Registered, type RegisterRequest,
} from './client.js';
