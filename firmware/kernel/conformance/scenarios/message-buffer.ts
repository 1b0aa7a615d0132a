/**
 * MessageBufferDemo.c, condensed: a 20-byte message buffer, one writer (priority 1) and one
 * reader (2). Each message is stored behind a 4-byte length that counts against the space; a
 * message is written whole or not at all (also when a send times out); a read into a buffer
 * too small for the next message returns nothing and leaves the message; nextLength reports the
 * next message's length (0 when empty); isFull means no message can fit (4 bytes or less free);
 * a blocked reader wakes on the first message.
 */
import { MessageBuffer } from '../../stream-buffer.js';
import { bench, bytes, show, type Scenario } from '../harness.js';

export const scenario: Scenario = {
  name: 'message-buffer',
  demo: 'MessageBufferDemo.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    const mb = new MessageBuffer(k, 20, 'mb');

    k.createTask('reader', 2, function* () {
      yield* k.delay(1);
      const before = mb.nextLength();
      let d = yield* mb.receive(4, 0);
      at(`reader nextLength ${before}; receive(4) -> ${d.length} bytes; nextLength ${mb.nextLength()}, bytes ${mb.bytesAvailable()}`);
      d = yield* mb.receive(5, 0);
      at(`reader got ${show(d)}; space ${mb.spacesAvailable()}`);
      yield* k.delay(2);
      d = yield* mb.receive(20, 0);
      const e = yield* mb.receive(20, 0);
      at(`reader got ${show(d)} then ${show(e)}; nextLength ${mb.nextLength()}`);
      d = yield* mb.receive(20, 10);
      at(`reader got ${show(d)}`);
      yield* k.suspend();
    });

    k.createTask('writer', 1, function* () {
      let n = yield* mb.send(bytes(1, 5), 0);
      at(`writer sent 5 -> ${n}; space ${mb.spacesAvailable()}, bytes ${mb.bytesAvailable()}`);
      n = yield* mb.send(bytes(10, 8), 0);
      at(`writer sent 8 -> ${n} (needs 12 of ${mb.spacesAvailable()})`);
      n = yield* mb.send(bytes(20, 7), 0);
      at(`writer sent 7 -> ${n}; space ${mb.spacesAvailable()}, full ${mb.isFull()}`);
      n = yield* mb.send(bytes(30, 3), 5);
      at(`writer sent 3 after waiting -> ${n}; space ${mb.spacesAvailable()}, full ${mb.isFull()}`);
      n = yield* mb.send(bytes(40, 6), 1);
      at(`writer timed out -> ${n}; space ${mb.spacesAvailable()}`);
      yield* k.delay(2);
      n = yield* mb.send(bytes(50, 2), 0);
      at(`writer sent ${n}`);
      yield* k.suspend();
    });

    clock.start();
    clock.advance(6);
    return log;
  },
  expected: {
    preemptive: [
      // 5 bytes take 9: the 4-byte length is stored too.
      '0 writer sent 5 -> 5; space 11, bytes 9',
      // 8 bytes need 12 and only 11 are free: nothing is written (no partial message).
      '0 writer sent 8 -> 0 (needs 12 of 11)',
      // 7 + 4 fills the buffer exactly.
      '0 writer sent 7 -> 7; space 0, full true',
      // The writer now waits (up to 5 ticks) for 7 free bytes. At 1 the reader's too-small read
      // returns nothing and leaves the 5-byte message where it was.
      '1 reader nextLength 5; receive(4) -> 0 bytes; nextLength 5, bytes 20',
      // Reading it frees 9 bytes and notifies the writer, which (lower) runs when the reader blocks.
      '1 reader got 1,2,3,4,5; space 9',
      // 2 bytes free: too few for any message (a length needs 4), so the buffer reads as full.
      '1 writer sent 3 after waiting -> 3; space 2, full true',
      // 6 + 4 never fit within 1 tick: the send returns 0, not part of the message.
      '2 writer timed out -> 0; space 2',
      // Whole messages, one per read; then empty: nextLength 0.
      '3 reader got 20,21,22,23,24,25,26 then 30,31,32; nextLength 0',
      // The reader waits on the empty buffer; the first message (trigger level 1) wakes it, and
      // it outranks the writer.
      '4 reader got 50,51',
      '4 writer sent 2',
    ],
    cooperative: [
      // 5 bytes take 9: the 4-byte length is stored too.
      '0 writer sent 5 -> 5; space 11, bytes 9',
      // 8 bytes need 12 and only 11 are free: nothing is written (no partial message).
      '0 writer sent 8 -> 0 (needs 12 of 11)',
      // 7 + 4 fills the buffer exactly.
      '0 writer sent 7 -> 7; space 0, full true',
      // The writer now waits (up to 5 ticks) for 7 free bytes. At 1 the reader's too-small read
      // returns nothing and leaves the 5-byte message where it was.
      '1 reader nextLength 5; receive(4) -> 0 bytes; nextLength 5, bytes 20',
      // Reading it frees 9 bytes and notifies the writer, which (lower) runs when the reader blocks.
      '1 reader got 1,2,3,4,5; space 9',
      // 2 bytes free: too few for any message (a length needs 4), so the buffer reads as full.
      '1 writer sent 3 after waiting -> 3; space 2, full true',
      // 6 + 4 never fit within 1 tick: the send returns 0, not part of the message.
      '2 writer timed out -> 0; space 2',
      // Whole messages, one per read; then empty: nextLength 0.
      '3 reader got 20,21,22,23,24,25,26 then 30,31,32; nextLength 0',
      // The woken reader runs once the writer suspends itself.
      '4 writer sent 2',
      '4 reader got 50,51',
    ],
  },
};
