/**
 * The sim port's engine-neutral part: the hardware layer on a simulated device (device.ts), in
 * simulated time. It runs on any engine (the XS device host uses it); sim/node/ adds what needs
 * Node (TCP over the host's network, real time) and is what `mote/hal` means outside an engine
 * build.
 */
import type { EngineTimer } from '../../kernel/clock.js';
import { currentDevice } from './device.js';
import { SimDigital } from './digital.js';
import { SimI2C } from './i2c.js';
import { SimSerial } from './serial.js';
import { SimStorage } from './storage.js';
import { SimWiFi } from './wifi.js';

export { SimDigital as Digital, SimI2C as I2C, SimSerial as Serial, SimStorage as Storage, SimWiFi as WiFi };
export { clock, resetReason, restart } from './system.js';
export { AppSlots, SimAppSlots } from './app-slots.js';
export { createDevice, currentDevice, type DeviceOptions, type SimDevice, type SimFlash } from './device.js';
export type { AccessPointSpec, BoardSpec, PinChange, Stimulus, Tmp102Spec, UartChunk, UartSpec } from './board.js';

export const engineTimer: EngineTimer = {
  setTimeout: (fn, ms) => currentDevice().time.set(fn, ms),
  clearTimeout: (handle) => currentDevice().time.clear(handle),
  now: () => currentDevice().time.now,
};

export function log(line: string): void {
  currentDevice().output.push(line);
}
