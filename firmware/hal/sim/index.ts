/**
 * The sim port: the hardware layer on a simulated device (device.ts), for tests on Node and for
 * the virtual board. Apps get it as `mote/hal` outside an engine build.
 */
import type { EngineTimer } from '../../kernel/clock.js';
import { currentDevice } from './device.js';
import { SimDigital } from './digital.js';
import { SimI2C } from './i2c.js';

export { SimDigital as Digital, SimI2C as I2C };
export { createDevice, currentDevice, type SimDevice } from './device.js';
export type { BoardSpec, PinChange, Stimulus, Tmp102Spec } from './board.js';

export const engineTimer: EngineTimer = {
  setTimeout: (fn, ms) => currentDevice().time.set(fn, ms),
  clearTimeout: (handle) => currentDevice().time.clear(handle),
  now: () => currentDevice().time.now,
};

export function log(line: string): void {
  currentDevice().output.push(line);
}
