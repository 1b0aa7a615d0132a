import { expect, test } from 'vitest';
import { Kernel } from './kernel.js';
import { VirtualClock } from './clock.js';
import { StreamBuffer } from './stream-buffer.js';

test('a stream send longer than the buffer waits only until the buffer is empty', () => {
  // xStreamBufferSend caps the space it waits for at the buffer's size: 12 bytes into an 8-byte
  // buffer wait for 8 free bytes, then write 8, instead of waiting out the whole timeout.
  const k = new Kernel();
  const sb = new StreamBuffer(k, 8, 1);
  const log: string[] = [];
  k.createTask('reader', 2, function* () {
    yield* k.delay(2);
    const d = yield* sb.receive(8, 0);
    log.push(`${k.tickCount} reader took ${d.length}`);
    yield* k.suspend();
  });
  k.createTask('writer', 1, function* () {
    yield* sb.send(new Uint8Array(8), 0);
    const n = yield* sb.send(new Uint8Array(12), 10);
    log.push(`${k.tickCount} writer sent ${n}`);
    yield* k.suspend();
  });
  const clock = new VirtualClock(k);
  clock.start();
  clock.advance(12);
  expect(log).toEqual(['2 reader took 8', '2 writer sent 8']);
  expect(sb.bytesAvailable()).toBe(8);
});

test('a stream send that fits in the buffer still waits until all of it fits', () => {
  const k = new Kernel();
  const sb = new StreamBuffer(k, 8, 1);
  const log: string[] = [];
  k.createTask('reader', 2, function* () {
    yield* k.delay(2);
    log.push(`${k.tickCount} reader took ${(yield* sb.receive(2, 0)).length}`);
    yield* k.delay(2);
    log.push(`${k.tickCount} reader took ${(yield* sb.receive(2, 0)).length}`);
    yield* k.suspend();
  });
  k.createTask('writer', 1, function* () {
    yield* sb.send(new Uint8Array(8), 0);
    const n = yield* sb.send(new Uint8Array(4), 10);
    log.push(`${k.tickCount} writer sent ${n}`);
    yield* k.suspend();
  });
  const clock = new VirtualClock(k);
  clock.start();
  clock.advance(12);
  expect(log).toEqual(['2 reader took 2', '4 reader took 2', '4 writer sent 4']);
});
