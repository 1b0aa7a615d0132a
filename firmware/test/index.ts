/**
 * `mote/test`: the on-device test API of `mote hil` (docs/hil.md). A suite's main module declares
 * tests with describe/test/testDone/skip and calls `run({ print: log, timer: engineTimer })`.
 */
export { describe, test, testDone, skip, guard, beforeEach, afterEach, signal, run, type RunOptions, type Summary, type TestOptions } from './runner.js';
export { expect, fail, show, equal, Expectation } from './expect.js';
export { FRAME_MARKER, crc32, encodeFrame } from './frame.js';
