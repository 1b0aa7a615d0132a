/**
 * Wall clock, reset reason and restart on Espruino. setTime(seconds) sets the clock behind both
 * Date.now() and getTime(); the port remembers each jump so that `engineTimer` (built on
 * getTime) stays monotonic. Espruino's ESP32 build tells only whether the chip woke from deep
 * sleep (ESP32.getWakeupCause(), 0 when it did not), not why it reset otherwise: 'deep-sleep'
 * or 'unknown'. ESP32.reboot() restarts the chip (esp_restart).
 */
import type { ResetReason, WallClock } from '../contract/system.js';
import { checkEpochMs } from '../validate.js';

declare function setTime(seconds: number): void;
declare const Date: { now(): number };
declare const ESP32: { getWakeupCause(): number; reboot(): void };

let jumps = 0;

/** The total of the wall clock's jumps, ms: what engineTimer subtracts from getTime(). */
export function clockJumps(): number {
  return jumps;
}

export const clock: WallClock = {
  now: () => Date.now(),
  set: (epochMs) => {
    const target = checkEpochMs(epochMs);
    jumps += target - Date.now();
    setTime(target / 1000);
  },
};

export function resetReason(): ResetReason {
  return ESP32.getWakeupCause() !== 0 ? 'deep-sleep' : 'unknown';
}

export function restart(): void {
  ESP32.reboot();
}
