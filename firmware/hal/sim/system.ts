/** The sim device's wall clock (its simulated time plus an offset), reset reason and restart. */
import type { ResetReason, WallClock } from '../contract/system.js';
import { checkEpochMs } from '../validate.js';
import { currentDevice } from './device.js';

export const clock: WallClock = {
  now: () => {
    const device = currentDevice();
    return device.time.now + device.clockOffset;
  },
  set: (epochMs) => {
    const device = currentDevice();
    device.clockOffset = checkEpochMs(epochMs) - device.time.now;
  },
};

export function resetReason(): ResetReason {
  return currentDevice().resetReason;
}

/** Stops the app (its timers are cleared) and marks the device restarted; a test then makes the next device with createDevice(spec, flash, { resetReason: 'software' }). */
export function restart(): void {
  const device = currentDevice();
  device.restarted = true;
  device.time.clearAll();
}
