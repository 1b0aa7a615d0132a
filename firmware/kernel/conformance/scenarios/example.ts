/**
 * Example of the scenario shape (modelled on BlockQ.c's producer/consumer): a consumer at
 * priority 2 blocks on a queue; a producer at priority 1 sends every 3 ticks.
 */
import { Queue } from '../../queue.js';
import { bench, type Scenario } from '../harness.js';

export const scenario: Scenario = {
  name: 'example',
  demo: 'BlockQ.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    const q = new Queue<number>(k, 2);
    k.createTask('rx', 2, function* () {
      for (;;) at(`rx ${yield* q.receive(5)}`);
    });
    k.createTask('tx', 1, function* () {
      for (let i = 0; i < 2; i++) {
        at(`tx send ${i}`);
        yield* q.send(i, 10);
        at(`tx sent ${i}`);
        yield* k.delay(3);
      }
      yield* k.suspend();
    });
    clock.start();
    clock.advance(10);
    return log;
  },
  expected: {
    // Preemptive: the send readies rx (higher priority), which runs before send returns.
    preemptive: ['0 tx send 0', '0 rx 0', '0 tx sent 0', '3 tx send 1', '3 rx 1', '3 tx sent 1', '8 rx undefined'],
    // Cooperative: tx runs on until its delay; rx then takes the item. rx's 5-tick wait from
    // tick 3 ends at 8 with nothing.
    cooperative: ['0 tx send 0', '0 tx sent 0', '0 rx 0', '3 tx send 1', '3 tx sent 1', '3 rx 1', '8 rx undefined'],
  },
};
