/**
 * The Device Shadow service's refusals, with AWS IoT's codes and messages byte for byte
 * (shared/specs/aws-iot-contracts.md). They travel as `{code, message, timestamp, clientToken}`
 * on `.../rejected` and as the HTTP status and body of the REST form.
 */
export class ShadowError extends Error {
  constructor(
    readonly code: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500,
    message: string,
  ) {
    super(message);
    this.name = 'ShadowError';
  }
}

export const shadowErrors = {
  invalidJson: () => new ShadowError(400, 'Invalid JSON'),
  missingState: () => new ShadowError(400, 'Missing required node: state'),
  stateNotObject: () => new ShadowError(400, 'State node must be an object'),
  desiredNotObject: () => new ShadowError(400, 'Desired node must be an object'),
  reportedNotObject: () => new ShadowError(400, 'Reported node must be an object'),
  invalidVersion: () => new ShadowError(400, 'Invalid version'),
  invalidClientToken: () => new ShadowError(400, 'Invalid clientToken'),
  tooDeep: () => new ShadowError(400, 'JSON contains too many levels of nesting; maximum is 6'),
  invalidNode: () => new ShadowError(400, 'State contains an invalid node'),
  unauthorized: () => new ShadowError(401, 'Unauthorized'),
  forbidden: () => new ShadowError(403, 'Forbidden'),
  thingNotFound: () => new ShadowError(404, 'Thing not found'),
  /** Classic shadows are named by their thing, named ones as `thing~shadow`. */
  noShadow: (thingName: string, shadowName?: string) => new ShadowError(404, `No shadow exists with name: '${shadowName === undefined ? thingName : `${thingName}~${shadowName}`}'`),
  versionConflict: () => new ShadowError(409, 'Version conflict'),
  payloadTooLarge: () => new ShadowError(413, 'Payload too large'),
  unsupportedEncoding: () => new ShadowError(415, 'Unsupported documented encoding'),
  tooManyRequests: () => new ShadowError(429, 'Too many requests'),
  internal: () => new ShadowError(500, 'Internal service failure'),
};
