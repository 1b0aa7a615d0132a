/**
 * The sim port on Node: the engine-neutral sim port (../index.ts) plus TCP over the host's real
 * network, for tests that talk to real brokers. `mote/hal` resolves here outside an engine build.
 * Pins, I2C and Storage stay simulated; `engineTimer` stays on the device's simulated time;
 * `realTimer` is Node's clock, for code that must wait on a real peer.
 */
import type { EngineTimer } from '../../../kernel/clock.js';

export * from '../index.js';
export { NodeTCP as TCP } from './tcp.js';

export const realTimer: EngineTimer = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};
