/**
 * Reset sequences: DTR drives IO0 and RTS drives EN through the usual auto-reset circuit (true = asserted =
 * line low). Both lines are set together at each step, as on Unix (esptool's "tight" reset), so no transient
 * state between two single-line changes reaches the chip.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Signals, Transport } from './transport.js';

type Step = Partial<Signals> | { waitMs: number };

export type ResetStrategyName = 'classic' | 'usb-serial-jtag';

/** Each sequence, step by step. */
export const resetSequences: Record<ResetStrategyName, readonly Step[]> = {
  // EN low with IO0 high; then EN released while IO0 is held low: the chip samples IO0 low and waits for download.
  classic: [{ dtr: false, rts: true }, { waitMs: 100 }, { dtr: true, rts: false }, { waitMs: 50 }, { dtr: false }],
  // The USB-Serial/JTAG controller: arm download (DTR without RTS), reset (RTS without DTR), release.
  'usb-serial-jtag': [{ rts: false, dtr: false }, { waitMs: 100 }, { dtr: true, rts: false }, { waitMs: 100 }, { dtr: false, rts: true }, { waitMs: 100 }, { dtr: false, rts: false }],
};

/** Hard reset into the app: EN pulsed low with IO0 released. */
const hardReset: readonly Step[] = [{ dtr: false, rts: true }, { waitMs: 100 }, { dtr: false, rts: false }];

async function run(transport: Transport, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    if ('waitMs' in step) await sleep(step.waitMs as number);
    else await transport.setSignals(step);
  }
}

export function resetIntoDownload(transport: Transport, strategy: ResetStrategyName): Promise<void> {
  return run(transport, resetSequences[strategy]);
}

export function hardResetChip(transport: Transport): Promise<void> {
  return run(transport, hardReset);
}
