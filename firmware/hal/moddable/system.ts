/**
 * Wall clock, reset reason and restart on Moddable. Date.now() is the wall clock and `time`'s
 * Time.set(seconds) sets it; Time.ticks (engineTimer) is separate and monotonic. Moddable's SDK
 * has no module that reports why the chip reset, nor one that restarts it (apps that need one add
 * native code calling esp_restart): resetReason() is 'unknown' and restart() throws.
 */
import Time from 'time';
import type { ResetReason, WallClock } from '../contract/system.js';
import { checkEpochMs } from '../validate.js';

export const clock: WallClock = {
  now: () => Date.now(),
  set: (epochMs) => Time.set(checkEpochMs(epochMs) / 1000),
};

export function resetReason(): ResetReason {
  return 'unknown';
}

export function restart(): void {
  throw new Error('restart: not available on Moddable (its SDK has no restart module)');
}
