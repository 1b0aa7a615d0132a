/**
 * Protocol errors. Espruino cannot subclass Error, so an MQTT protocol error is a plain Error
 * whose name is 'MqttProtocolError'; `isProtocolError` tells them apart.
 */
export function protocolError(message: string): Error {
  const error = new Error(message);
  error.name = 'MqttProtocolError';
  return error;
}

export function isProtocolError(error: unknown): boolean {
  return error instanceof Error && error.name === 'MqttProtocolError';
}
