/**
 * The chip itself: its wall clock, why it last reset, and a software restart.
 *
 * - `clock.now()`: wall-clock time, ms since 1970 (UTC). It starts near 0 after a reset (no
 *   battery-backed clock) until `clock.set(ms)` is given the time (from SNTP or the cloud). It is
 *   not the kernel's clock: `engineTimer.now()` stays monotonic when the wall clock is set.
 * - `resetReason()`: why the chip last started. An engine that cannot tell says 'unknown'
 *   (see docs/hal.md for what each engine can tell).
 * - `restart()`: a software reset; the app stops here and starts again from the top.
 */
export type ResetReason = 'power-on' | 'software' | 'watchdog' | 'panic' | 'brownout' | 'deep-sleep' | 'unknown';

export const RESET_REASONS: readonly ResetReason[] = ['power-on', 'software', 'watchdog', 'panic', 'brownout', 'deep-sleep', 'unknown'];

export interface WallClock {
  now(): number;
  set(epochMs: number): void;
}
