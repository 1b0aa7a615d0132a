/**
 * aedes's authorization hooks backed by the registry and policies: authenticate at CONNECT
 * (identity.ts), then check every PUBLISH (iot:Publish), SUBSCRIBE (iot:Subscribe) and delivery
 * (iot:Receive) against the connection's policies. Every refusal is logged; attempts, deliveries
 * and refusals are counted on the meter, if given.
 */
import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { isAllowed } from '../policy/evaluate.js';
import type { Policies } from '../policy/policies.js';
import type { Registry } from '../registry/registry.js';
import type { ActivityMeter } from './activity.js';
import { identify, type ConnectionIdentity, type Credentials } from './identity.js';
import { MAX_PAYLOAD_BYTES, MAX_QOS, mayPublishReserved, maySubscribe } from './limits.js';

/** One line of the broker's security log. */
export type SecurityEvent =
  | { event: 'connect-refused'; clientId: string; reason: string }
  | { event: 'publish-refused'; clientId: string; topic: string; reason: string }
  | { event: 'subscribe-refused'; clientId: string; filter: string; reason: string }
  | { event: 'delivery-refused'; clientId: string; topic: string }
  /** A live connection closed because its certificate or token stopped being valid. */
  | { event: 'disconnected'; clientId: string; reason: string }
  /** A TLS handshake refused before MQTT began: no client certificate, or one the CA did not sign. */
  | { event: 'tls-refused'; address: string; reason: string };

const NOT_AUTHORIZED = 5; // CONNACK return code [MQTT-3.2.2.3]

/** The SHA-256 certificate id of the client certificate a TLS connection presented, if any. */
function peerCertificateId(client: Client): string | undefined {
  const socket = client.conn as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const certificate = socket.getPeerCertificate();
  return certificate?.raw ? createHash('sha256').update(certificate.raw).digest('hex') : undefined;
}

export function createAuthorizer(registry: Registry, policies: Policies, log: (event: SecurityEvent) => void, meter?: ActivityMeter) {
  const identities = new WeakMap<Client, ConnectionIdentity>();

  const refuseConnect = (clientId: string, reason: string, done: (error: AuthenticateError | null, success: boolean | null) => void) => {
    log({ event: 'connect-refused', clientId, reason });
    meter?.connectAttempt(clientId, undefined);
    done(Object.assign(new Error(reason), { returnCode: NOT_AUTHORIZED }) as AuthenticateError, false);
  };

  const hooks: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'> = {
    authenticate(client, _username, password, done) {
      const certificateId = peerCertificateId(client);
      let credentials: Credentials;
      if (certificateId !== undefined) credentials = { certificateId };
      else if (password !== undefined && password.length > 0) credentials = { token: password.toString('utf8') };
      else return refuseConnect(client.id, 'no credentials: neither a client certificate nor a device token', done);
      identify(registry, policies, client.id, randomUUID(), credentials).then(
        (identity) => {
          if ('refused' in identity) return refuseConnect(client.id, identity.refused, done);
          if (!isAllowed(identity.policies, 'iot:Connect', client.id, identity)) return refuseConnect(client.id, `policy of ${identity.principal} does not allow iot:Connect as client ${client.id}`, done);
          identities.set(client, identity);
          meter?.connectAttempt(client.id, identity.thing?.thingName);
          done(null, true);
        },
        (error: Error) => refuseConnect(client.id, `identity check failed: ${error.message}`, done),
      );
    },

    authorizePublish(client, packet, done) {
      if (client === null) return done(null); // the cloud's own messages
      const identity = identities.get(client);
      const refuse = (reason: string) => {
        log({ event: 'publish-refused', clientId: client.id, topic: packet.topic, reason });
        meter?.refused(client.id, identity?.thing?.thingName);
        done(new Error(reason));
      };
      if (identity === undefined) return refuse('not authenticated');
      if (packet.qos > MAX_QOS) return refuse('QoS 2 is not supported');
      if (packet.payload.length > MAX_PAYLOAD_BYTES) return refuse(`payload of ${packet.payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
      if (!mayPublishReserved(packet.topic)) return refuse('reserved topic');
      if (!isAllowed(identity.policies, 'iot:Publish', packet.topic, identity)) return refuse('policy does not allow iot:Publish');
      done(null);
    },

    authorizeSubscribe(client, subscription, done) {
      const identity = identities.get(client);
      const refuse = (reason: string) => {
        log({ event: 'subscribe-refused', clientId: client.id, filter: subscription.topic, reason });
        meter?.refused(client.id, identity?.thing?.thingName);
        done(null, null); // SUBACK 0x80 for this filter [MQTT-3.9.3]
      };
      if (identity === undefined) return refuse('not authenticated');
      if (!maySubscribe(subscription.topic)) return refuse('reserved topic');
      // aedes fixes the granted QoS before this hook runs, so QoS 2 cannot be downgraded here: not granted.
      if (subscription.qos > MAX_QOS) return refuse('QoS 2 is not supported');
      if (!isAllowed(identity.policies, 'iot:Subscribe', subscription.topic, identity)) return refuse('policy does not allow iot:Subscribe');
      done(null, subscription);
    },

    authorizeForward(client, packet) {
      const identity = identities.get(client);
      if (identity !== undefined && isAllowed(identity.policies, 'iot:Receive', packet.topic, identity)) {
        meter?.delivered(client.id, identity.thing?.thingName, packet.payload.length);
        return packet;
      }
      log({ event: 'delivery-refused', clientId: client.id, topic: packet.topic });
      meter?.refused(client.id, identity?.thing?.thingName);
      return null;
    },
  };
  return { hooks, identityOf: (client: Client) => identities.get(client) };
}
