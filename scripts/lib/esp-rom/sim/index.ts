/** The simulated ESP32 ROM bootloader behind a pseudo-terminal, for tests and benchmarks without hardware. */
import type { Transport } from '../transport.js';
import type { SimulatedEsp } from './simulated-esp.js';

export { SimulatedEsp, ROM_BAUD_RATE, type SimulatedEspOptions, type ResetCircuit } from './simulated-esp.js';
export { SimulatedRom } from './rom.js';
export type { Fault, FaultAction } from './faults.js';
export { openPtyPair } from './pty.js';

/**
 * `transport` with its modem lines routed to the simulated chip: a pty cannot carry DTR/RTS, so the line
 * changes a reset sequence makes reach the chip's reset-circuit model directly. Data still goes over the pty.
 */
export function wireLines(transport: Transport, esp: SimulatedEsp): Transport {
  return {
    path: transport.path,
    write: (bytes) => transport.write(bytes),
    onData: (listener) => transport.onData(listener),
    setBaudRate: (rate) => transport.setBaudRate(rate),
    close: () => transport.close(),
    setSignals: async (change) => esp.setLines(change),
  };
}
