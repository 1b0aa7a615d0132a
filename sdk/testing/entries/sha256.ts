/**
 * Engine entry (tests only): SHA-256 of seeded pseudo-random inputs around the block and
 * padding edges, each hashed whole and in uneven pieces; sdk/testing/engines.test.ts compares
 * the hex digests with node:crypto's.
 */
import { sha256, Sha256, toHex } from '../../crypto/sha256.js';
import { sha256Inputs } from './inputs.js';

declare const hostResult: (value: unknown) => void;

const out: { whole: string; pieces: string }[] = [];
const inputs = sha256Inputs();
for (let n = 0; n < inputs.length; n++) {
  const bytes = inputs[n]!;
  const hash = new Sha256();
  for (let at = 0, step = 1; at < bytes.length; at += step, step = step * 3 + 1) hash.update(bytes, at, Math.min(bytes.length, at + step));
  out.push({ whole: toHex(sha256(bytes)), pieces: toHex(hash.digest()) });
}
hostResult(out);
