import { describe, expect, it } from 'vitest';
import { Kernel, Mutex, Timer, VirtualClock } from './index.js';
import type { TraceHooks } from './trace.js';

describe('trace hooks', () => {
  it('fire at FreeRTOS trace-macro points, in order', () => {
    const events: string[] = [];
    let k!: Kernel;
    const at = (e: string) => events.push(`${k.tickCount} ${e}`);
    const trace: TraceHooks = {
      switchedIn: (t) => at(`in ${t.name}`),
      switchedOut: (t) => at(`out ${t.name}`),
      movedToReady: (t) => at(`ready ${t.name}`),
      priorityInherit: (t, p) => at(`inherit ${t.name} ${p}`),
      priorityDisinherit: (t, p) => at(`disinherit ${t.name} ${p}`),
      timerExpired: (name) => at(`timer ${name}`),
    };
    k = new Kernel({ trace, timerTaskPriority: 3 });
    const m = new Mutex(k);
    k.createTask('low', 1, function* () {
      yield* m.take(0);
      yield* k.delay(2); // high wakes at 1 and blocks on the mutex: low inherits 2
      yield* m.give(); // back to 1; high takes the mutex and runs at once
      yield* k.suspend();
    });
    k.createTask('high', 2, function* () {
      yield* k.delay(1);
      yield* m.take(10);
      yield* m.give();
      yield* k.suspend();
    });
    new Timer(k, 'once', 3, false, () => {}).startFromISR();
    const clock = new VirtualClock(k);
    clock.start();
    events.length = 0; // start-up (tasks made ready, first switches) is covered elsewhere
    clock.advance(3);
    expect(events).toEqual([
      '1 ready high', // tick 1: high's delay ends
      '1 out IDLE',
      '1 in high',
      '1 inherit low 2', // low is blocked in delay(2): raised, but not moved to a ready list

      '1 out high',
      '1 in IDLE',
      '2 ready low', // tick 2: low's delay ends, at its inherited priority 2
      '2 out IDLE',
      '2 in low',
      '2 disinherit low 1', // the give: prvCopyDataToQueue disinherits first (low re-queued at 1)...
      '2 ready low',
      '2 ready high', // ...then xTaskRemoveFromEventList readies the waiter
      '2 out low',
      '2 in high',
      '2 out high', // high gives and suspends itself
      '2 in low',
      '2 out low', // low suspends itself
      '2 in IDLE',
      '3 ready Tmr Svc', // tick 3: the one-shot timer is due
      '3 out IDLE',
      '3 in Tmr Svc',
      '3 timer once',
      '3 out Tmr Svc',
      '3 in IDLE',
    ]);
  });
});
