/**
 * What connections do, as the broker's hooks see it, for whoever counts it (Defender's cloud-side
 * metrics). Called on the publish and delivery paths, so an implementation only counts.
 * `thingName` is the thing the connection is attached to, if any (none for a refused connect).
 */
export interface ActivityMeter {
  /** A CONNECT, accepted or refused. */
  connectAttempt(clientId: string, thingName: string | undefined): void;
  /** A PUBLISH from the client that the policy allowed. */
  published(clientId: string, thingName: string | undefined, bytes: number): void;
  /** A message delivered to the client. */
  delivered(clientId: string, thingName: string | undefined, bytes: number): void;
  /** A publish, subscribe or delivery the policy (or the broker's limits) refused. */
  refused(clientId: string, thingName: string | undefined): void;
  /** An accepted connection that ended, whoever ended it. */
  disconnected(clientId: string, thingName: string | undefined): void;
}
