/** Why talking to the chip failed, each kind with a message that says what to do. */
export type FlashErrorKind =
  | 'no-port'
  | 'permission-denied'
  | 'port-busy'
  | 'no-modem-lines'
  | 'no-sync'
  | 'wrong-chip'
  | 'unknown-chip'
  | 'timeout'
  | 'rom-error'
  | 'md5-mismatch'
  | 'bad-reply'
  | 'image'
  | 'too-big';

export class FlashError extends Error {
  constructor(
    readonly kind: FlashErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'FlashError';
  }
}
