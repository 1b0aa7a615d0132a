/**
 * Errors the kernel throws for bad arguments. RangeError where the engine has one (XS, Node);
 * Espruino 2v29 has no RangeError (nor can a class extend Error there), so a plain Error with
 * the same message.
 */
export function rangeError(message: string): Error {
  return typeof RangeError === 'function' ? new RangeError(message) : new Error(message);
}
