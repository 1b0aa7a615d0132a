/**
 * The sim port on Node: the engine-neutral sim port (../index.ts) plus TCP over the host's real
 * network, for tests that talk to real brokers. `mote/hal` resolves here outside an engine build.
 * Pins, I2C and Storage stay simulated; `engineTimer` stays on the device's simulated time;
 * `realTimer` is Node's clock, for code that must wait on a real peer.
 */
import type { EngineTimer } from '../../../kernel/clock.js';
import type { SimDevice } from '../device.js';

export * from '../index.js';
export { NodeTCP as TCP } from './tcp.js';

export const realTimer: EngineTimer = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

/**
 * Makes a sim device's simulated time follow the wall clock (every few ms, its timers due by
 * then run), for code that talks to real peers over TCP. Returns a function that stops it.
 */
export function followRealTime(device: SimDevice, stepMs = 5): () => void {
  const origin = performance.now() - device.time.now;
  const interval = setInterval(() => device.time.runUntil(performance.now() - origin), stepMs);
  return () => clearInterval(interval);
}
