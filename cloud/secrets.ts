/**
 * Bearer secrets (device tokens, the API's admin token): 32 random bytes, shown once when
 * issued. The store keeps only their SHA-256: with 256 bits of entropy a fast hash suffices.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newSecret = (): string => randomBytes(32).toString('base64url');

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Whether `secret` hashes to `hash`, in time independent of where they differ. */
export const secretMatches = (hash: string, secret: string): boolean => timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(hashSecret(secret), 'hex'));
