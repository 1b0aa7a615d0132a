/**
 * StreamBufferDemo.c, condensed: one reader (priority 2) and one writer (1) on an 8-byte stream
 * buffer with trigger level 4. A blocked reader wakes only once the trigger level is reached
 * (level 0 means 1); a read that times out returns what is there; a send with a timeout blocks
 * until all its bytes fit, and writes what fits when time runs out; a send longer than the whole
 * buffer waits only until the buffer is empty (stream_buffer.c caps the space it waits for at
 * the buffer's size); a second task trying to wait to send is refused (one writer only).
 */
import { StreamBuffer } from '../../stream-buffer.js';
import { bench, bytes, show, type Scenario } from '../harness.js';

export const scenario: Scenario = {
  name: 'stream-buffer',
  demo: 'StreamBufferDemo.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    const sb = new StreamBuffer(k, 8, 4, 'sb');

    k.createTask('reader', 2, function* () {
      let d = yield* sb.receive(8, 10);
      at(`reader got ${show(d)}`);
      d = yield* sb.receive(8, 3);
      at(`reader timed out with ${show(d)}`);
      at(`reader setTriggerLevel(0) -> ${sb.setTriggerLevel(0)}, setTriggerLevel(9) -> ${sb.setTriggerLevel(9)}`);
      d = yield* sb.receive(8, 10);
      at(`reader got ${show(d)}`);
      yield* k.delay(3);
      d = yield* sb.receive(1, 0);
      at(`reader took ${show(d)}`);
      yield* k.delay(1);
      d = yield* sb.receive(1, 0);
      at(`reader took ${show(d)}`);
      yield* k.delay(1);
      d = yield* sb.receive(2, 0);
      at(`reader took ${show(d)}`);
      yield* k.delay(3);
      d = yield* sb.receive(8, 0);
      at(`reader took ${show(d)}`);
      yield* k.delay(1);
      d = yield* sb.receive(8, 0);
      at(`reader took ${show(d)}`);
      yield* k.suspend();
    });

    k.createTask('writer', 1, function* () {
      let n = yield* sb.send(bytes(1, 2), 0);
      at(`writer sent ${n} (below trigger 4)`);
      yield* k.delay(1);
      n = yield* sb.send(bytes(3, 2), 0);
      at(`writer sent ${n}, trigger reached`);
      yield* k.delay(1);
      n = yield* sb.send(bytes(5, 1), 0);
      at(`writer sent ${n} (below trigger)`);
      yield* k.delay(3);
      n = yield* sb.send(bytes(6, 1), 0);
      at(`writer sent ${n}`);
      yield* k.delay(1);
      n = yield* sb.send(bytes(10, 6), 0);
      at(`writer sent ${n}; space ${sb.spacesAvailable()}`);
      n = yield* sb.send(bytes(16, 4), 10);
      at(`writer sent ${n} after waiting for space`);
      n = yield* sb.send(bytes(20, 6), 3);
      at(`writer timed out: sent ${n} of 6`);
      n = yield* sb.send(bytes(30, 12), 10);
      at(`writer sent ${n} of 12`);
      yield* k.suspend();
    });

    k.createTask('writer2', 1, function* () {
      yield* k.delay(7);
      try {
        yield* sb.send(bytes(7, 3), 5);
      } catch (e) {
        at(`writer2 rejected: ${(e as Error).message}`);
      }
      yield* k.suspend();
    });

    clock.start();
    clock.advance(15);
    return log;
  },
  expected: {
    preemptive: [
      // 2 bytes < trigger 4: the blocked reader is not woken.
      '0 writer sent 2 (below trigger 4)',
      // 4 bytes reach the trigger: the send notifies the reader, which outranks the writer.
      '1 reader got 1,2,3,4',
      '1 writer sent 2, trigger reached',
      '2 writer sent 1 (below trigger)',
      // The reader's 3-tick wait (from 1) ends at 4 with the 1 byte below the trigger.
      '4 reader timed out with 5',
      // 0 is stored as 1; a level above the size is refused.
      '4 reader setTriggerLevel(0) -> true, setTriggerLevel(9) -> false',
      '5 reader got 6',
      '5 writer sent 1',
      '6 writer sent 6; space 2',
      // writer waits for space (waitingToSend); a second sender may not wait as well.
      '7 writer2 rejected: sb: a second task is waiting to send (one writer only)',
      // Each read notifies the waiting writer, which rechecks: 3 bytes free is not enough for
      // its 4, so it waits again for the time it has left; at 9 there are 4.
      '8 reader took 10',
      '9 reader took 11',
      '9 writer sent 4 after waiting for space',
      // The full buffer frees 2 bytes at 10; 6 never fit before the 3-tick timeout (12), when
      // the send writes what fits.
      '10 reader took 12,13',
      '12 writer timed out: sent 2 of 6',
      // 12 bytes can never fit in 8: the writer waits only until all 8 are free (13), then
      // writes 8, not at its timeout (22).
      '13 reader took 14,15,16,17,18,19,20,21',
      '13 writer sent 8 of 12',
      '14 reader took 30,31,32,33,34,35,36,37',
    ],
    cooperative: [
      '0 writer sent 2 (below trigger 4)',
      // The woken reader waits until the writer blocks.
      '1 writer sent 2, trigger reached',
      '1 reader got 1,2,3,4',
      '2 writer sent 1 (below trigger)',
      '4 reader timed out with 5',
      '4 reader setTriggerLevel(0) -> true, setTriggerLevel(9) -> false',
      '5 writer sent 1',
      '5 reader got 6',
      '6 writer sent 6; space 2',
      // writer waits for space (waitingToSend); a second sender may not wait as well.
      '7 writer2 rejected: sb: a second task is waiting to send (one writer only)',
      // Each read notifies the waiting writer, which rechecks: 3 bytes free is not enough for
      // its 4, so it waits again for the time it has left; at 9 there are 4.
      '8 reader took 10',
      '9 reader took 11',
      '9 writer sent 4 after waiting for space',
      // The full buffer frees 2 bytes at 10; 6 never fit before the 3-tick timeout (12), when
      // the send writes what fits.
      '10 reader took 12,13',
      '12 writer timed out: sent 2 of 6',
      // 12 bytes can never fit in 8: the writer waits only until all 8 are free (13), then
      // writes 8, not at its timeout (22).
      '13 reader took 14,15,16,17,18,19,20,21',
      '13 writer sent 8 of 12',
      '14 reader took 30,31,32,33,34,35,36,37',
    ],
  },
};
