/**
 * The blocking form of any SDK call: a task starts the call and blocks until its `done` callback
 * runs (host context, reaching the task through the kernel's ISR-safe give) or `ticksToWait` pass.
 *
 *   const result = yield* awaitDone(kernel, (done) => mqtt.publish(topic, data, { qos: 1 }, done), 500);
 *   if (!result.ok) log(result.error.message);
 */
import type { Kernel } from '../firmware/kernel/kernel.js';
import { BinarySemaphore } from '../firmware/kernel/semaphore.js';
import type { Op } from '../firmware/kernel/task.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Runs `start(done)` and blocks the calling task until `done(error, value)` is called or
 * `ticksToWait` pass (then `{ ok: false, error: Error('timed out') }`; a later `done` is ignored).
 */
export function* awaitDone<T = undefined>(kernel: Kernel, start: (done: (error?: Error, value?: T) => void) => void, ticksToWait: number): Op<Outcome<T>> {
  const finished = new BinarySemaphore(kernel, 'sdk call');
  let outcome: Outcome<T> | undefined;
  start((error, value) => {
    if (outcome) return;
    outcome = error ? { ok: false, error } : { ok: true, value: value as T };
    kernel.isr(() => finished.giveFromISR());
  });
  if (!outcome) yield* finished.take(ticksToWait);
  if (!outcome) outcome = { ok: false, error: new Error('timed out') };
  return outcome;
}
