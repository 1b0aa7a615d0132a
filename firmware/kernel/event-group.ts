/**
 * Event groups (event_groups.c): 24 bits tasks can wait on, any or all.
 * - setBits checks every waiter (a broadcast); bits waited for with clearOnExit are cleared after
 *   the whole scan, so every waiter sees them. Returns the value after that clearing.
 * - waitBits returns the bits as they were when the wait ended, before any clear on exit.
 * - sync sets bits, then waits for all of `waitFor`, then clears them (a rendezvous).
 * - The top 8 bits are reserved for the kernel. setBitsFromISR/clearBitsFromISR are deferred to
 *   the timer service task, as in FreeRTOS.
 */
import type { Kernel } from './kernel.js';
import { List, type ListItem } from './list.js';
import { type Op, type Task, Token } from './task.js';
import { rangeError } from './errors.js';

const CLEAR_ON_EXIT = 0x01000000;
const UNBLOCKED_BY_BITS = 0x02000000;
const WAIT_FOR_ALL = 0x04000000;
const USER_BITS = 0x00ffffff;

function matches(value: number, waitFor: number, all: boolean): boolean {
  return all ? (value & waitFor) === waitFor : (value & waitFor) !== 0;
}

export class EventGroup {
  private bits = 0;
  readonly waiters = new List<Task>();

  constructor(
    readonly kernel: Kernel,
    readonly name = 'event group',
  ) {}

  private check(bits: number, what: string): void {
    if (bits !== Math.floor(bits) || bits < 0 || (bits & ~USER_BITS) !== 0) {
      throw rangeError(`${this.name}: ${what} must use only bits 0..23 (the top 8 are reserved), got ${bits}`);
    }
  }

  /** xEventGroupGetBits. */
  getBits(): number {
    return this.bits;
  }

  /** xEventGroupClearBits: returns the value before clearing. Never blocks or switches. */
  clearBits(bits: number): number {
    this.check(bits, 'bits to clear');
    const before = this.bits;
    this.bits &= ~bits;
    return before;
  }

  /** The body of xEventGroupSetBits; readies waiters, pending a yield for any that outrank. */
  private apply(bits: number): number {
    let toClear = 0;
    this.bits |= bits;
    let item: ListItem<Task> = this.waiters.head();
    while (item !== this.waiters.end) {
      const next = item.next;
      const control = item.value & ~USER_BITS;
      const waitFor = item.value & USER_BITS;
      if (matches(this.bits, waitFor, (control & WAIT_FOR_ALL) !== 0)) {
        if ((control & CLEAR_ON_EXIT) !== 0) toClear |= waitFor;
        this.kernel.removeFromUnorderedEventList(item, this.bits | UNBLOCKED_BY_BITS);
      }
      item = next;
    }
    this.bits &= ~toClear;
    return this.bits;
  }

  /** xEventGroupSetBits: returns the bits after waiters' clear-on-exit. */
  *setBits(bits: number): Op<number> {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    this.check(bits, 'bits to set');
    const value = this.apply(bits);
    if (k.yieldPending && k.config.preemption) yield Token.Switch;
    return value;
  }

  /** xEventGroupSetBitsFromISR: the timer service task sets them; false if its queue is full. */
  setBitsFromISR(bits: number): boolean {
    this.check(bits, 'bits to set');
    return this.kernel.timers.pendFunctionCallFromISR(() => this.setBits(bits));
  }

  /** xEventGroupClearBitsFromISR: deferred like setBitsFromISR. */
  clearBitsFromISR(bits: number): boolean {
    this.check(bits, 'bits to clear');
    return this.kernel.timers.pendFunctionCallFromISR(() => {
      this.clearBits(bits);
    });
  }

  /**
   * xEventGroupWaitBits: waits until any (or all) of `waitFor` are set. Returns the bits when
   * the wait ended (test them to tell success from timeout), before clearOnExit clears them.
   */
  *waitBits(waitFor: number, clearOnExit: boolean, waitForAll: boolean, ticksToWait = 0): Op<number> {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    this.check(waitFor, 'bits to wait for');
    if (waitFor === 0) throw rangeError(`${this.name}: waitBits needs at least one bit`);
    const now = this.bits;
    if (matches(now, waitFor, waitForAll)) {
      if (clearOnExit) this.bits &= ~waitFor;
      return now;
    }
    if (ticksToWait === 0) return now;
    const control = (clearOnExit ? CLEAR_ON_EXIT : 0) | (waitForAll ? WAIT_FOR_ALL : 0);
    k.placeOnUnorderedEventList(this.waiters, waitFor | control, ticksToWait);
    yield Token.Switch;
    let value = k.resetEventItemValue();
    if ((value & UNBLOCKED_BY_BITS) === 0) {
      value = this.bits;
      if (matches(value, waitFor, waitForAll) && clearOnExit) this.bits &= ~waitFor;
    }
    return value & USER_BITS;
  }

  /**
   * xEventGroupSync: sets `bitsToSet`, then waits for all of `waitFor` and clears them. Returns
   * the bits when it ended; all of `waitFor` set means every party arrived.
   */
  *sync(bitsToSet: number, waitFor: number, ticksToWait = 0): Op<number> {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    this.check(bitsToSet, 'bits to set');
    this.check(waitFor, 'bits to wait for');
    if (waitFor === 0) throw rangeError(`${this.name}: sync needs at least one bit to wait for`);
    if (ticksToWait !== 0) k.assertCanBlock(); // before any bit is set, as FreeRTOS asserts at entry
    const original = this.bits;
    this.apply(bitsToSet);
    if (((original | bitsToSet) & waitFor) === waitFor) {
      this.bits &= ~waitFor;
      if (k.yieldPending && k.config.preemption) yield Token.Switch;
      return original | bitsToSet;
    }
    if (ticksToWait === 0) {
      const value = this.bits;
      if (k.yieldPending && k.config.preemption) yield Token.Switch;
      return value;
    }
    k.placeOnUnorderedEventList(this.waiters, waitFor | CLEAR_ON_EXIT | WAIT_FOR_ALL, ticksToWait);
    yield Token.Switch;
    let value = k.resetEventItemValue();
    if ((value & UNBLOCKED_BY_BITS) === 0) {
      value = this.bits;
      if ((value & waitFor) === waitFor) this.bits &= ~waitFor;
    }
    return value & USER_BITS;
  }

  /** vEventGroupDelete: every waiter returns with the bits it saw as 0. */
  *delete(): Op {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    while (this.waiters.length > 0) k.removeFromUnorderedEventList(this.waiters.head(), UNBLOCKED_BY_BITS);
    if (k.yieldPending && k.config.preemption) yield Token.Switch;
  }
}
