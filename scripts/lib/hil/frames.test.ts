// Frames as the device writes them (firmware/test/frame.ts) read back by the host through boot
// noise, garbage, arbitrary chunking and corruption; the recorder's link faults and results.
import { describe, expect, it } from 'vitest';
import { crc32, encodeFrame } from '../../../firmware/test/frame.js';
import { ConsoleReader, parseLine } from './frames.js';
import { DeviceRecorder } from './results.js';

const frames = (events: object[]) => events.map((e, n) => encodeFrame({ ...e, n }));

describe('frames', () => {
  it('CRC-32 is the IEEE one (check value of "123456789")', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });

  it('a frame is printable ASCII and reads back as its event, UTF-8 included', () => {
    const line = encodeFrame({ e: 'fail', n: 3, id: 1, ms: 5, message: 'expected "é€😀" to be 1' });
    expect(line).toMatch(/^~mote:[A-Za-z0-9+/=]+\*[0-9a-f]{8}$/);
    expect(parseLine(line)).toEqual([{ kind: 'frame', event: { e: 'fail', n: 3, id: 1, ms: 5, message: 'expected "é€😀" to be 1' } }]);
  });

  it('boot noise before a marker on the same line is a log line; the frame still reads', () => {
    const line = `ets Jun  8 2016 00:22:57\x00\xff rst:0x1${encodeFrame({ e: 'begin', n: 0, count: 2 })}\r`;
    expect(parseLine(line)).toEqual([
      { kind: 'log', text: 'ets Jun  8 2016 00:22:57\x00\xff rst:0x1' },
      { kind: 'frame', event: { e: 'begin', n: 0, count: 2 } },
    ]);
  });

  it('corrupted frames are reported as such, never as results', () => {
    const good = encodeFrame({ e: 'pass', n: 0, id: 0, ms: 1 });
    const body = good.slice(6, good.indexOf('*'));
    const flipped = `~mote:${body.slice(0, 4)}${body[4] === 'A' ? 'B' : 'A'}${body.slice(5)}${good.slice(good.indexOf('*'))}`;
    expect(parseLine(flipped)).toEqual([{ kind: 'corrupt', text: flipped, reason: expect.stringMatching(/^CRC mismatch: frame says [0-9a-f]{8}, content gives [0-9a-f]{8}$/) }]);
    expect(parseLine(good.slice(0, -3))[0]).toMatchObject({ kind: 'corrupt', reason: expect.stringContaining('malformed') });
    expect(parseLine('~mote:@@@*00000000')[0]).toMatchObject({ kind: 'corrupt', reason: expect.stringContaining('malformed') });
    const notJson = Buffer.from('{nope').toString('base64');
    expect(parseLine(`~mote:${notJson}*${crc32(notJson).toString(16).padStart(8, '0')}`)[0]).toMatchObject({ kind: 'corrupt', reason: expect.stringContaining('not JSON') });
    const notEvent = Buffer.from('{"e":"explode","n":0}').toString('base64');
    expect(parseLine(`~mote:${notEvent}*${crc32(notEvent).toString(16).padStart(8, '0')}`)[0]).toMatchObject({ kind: 'corrupt', reason: 'frame content is not a test event' });
  });

  it('lines split across chunks at every position read the same as whole ones', () => {
    const stream = `boot\r\n${frames([{ e: 'begin', count: 1 }, { e: 'test', id: 0, name: 't' }]).join('\n')}\nlog line\n`;
    const whole = new ConsoleReader().push(stream);
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new ConsoleReader();
      expect([...reader.push(stream.slice(0, cut)), ...reader.push(stream.slice(cut)), ...reader.end()]).toEqual(whole);
    }
    expect(whole.map((i) => i.kind)).toEqual(['log', 'frame', 'frame', 'log']);
  });
});

describe('DeviceRecorder', () => {
  const run = [
    { e: 'begin', count: 3 },
    { e: 'test', id: 0, name: 'a' },
    { e: 'pass', id: 0, ms: 4 },
    { e: 'test', id: 1, name: 'b' },
    { e: 'fail', id: 1, ms: 7, message: 'expected 1 to be 2' },
    { e: 'test', id: 2, name: 'c' },
    { e: 'skip', id: 2, reason: 'later' },
    { e: 'end', passed: 1, failed: 1, skipped: 1 },
  ];

  it('builds results with each test’s log, ignoring garbage lines', () => {
    const recorder = new DeviceRecorder('board');
    const lines = frames(run);
    lines.splice(4, 0, 'printed by b', '\x00\x7f garbage');
    for (const line of lines) recorder.line(line);
    expect(recorder.linkFault).toBeUndefined();
    expect(recorder.ended).toBe(true);
    expect(recorder.tests).toEqual([
      { name: 'a', device: 'board', status: 'passed', ms: 4, log: [] },
      { name: 'b', device: 'board', status: 'failed', ms: 7, message: 'expected 1 to be 2', log: ['printed by b', '\x00\x7f garbage'] },
      { name: 'c', device: 'board', status: 'skipped', ms: 0, message: 'later', log: [] },
    ]);
  });

  it("a timeout after an uncaught exception carries the engine's message", () => {
    const recorder = new DeviceRecorder('board');
    const lines = frames([{ e: 'begin', count: 1 }, { e: 'test', id: 0, name: 'a' }, { e: 'fail', id: 0, ms: 5000, message: 'timed out after 5000 ms' }]);
    lines.splice(2, 0, 'Uncaught Error: expected 1 to be 2', ' at line 1 col 10');
    for (const line of lines) recorder.line(line);
    expect(recorder.tests[0]!.message).toBe('timed out after 5000 ms; the device printed: Uncaught Error: expected 1 to be 2');
  });

  it('a lost frame or a corrupt one is a link fault', () => {
    const lost = new DeviceRecorder('board');
    for (const [i, line] of frames(run).entries()) if (i !== 2) lost.line(line);
    expect(lost.linkFault).toBe('board: frames 2-2 lost');

    const corrupt = new DeviceRecorder('board');
    for (const line of frames(run)) corrupt.line(line.replace(/\*[0-9a-f]{8}$/, '*00000000'));
    expect(corrupt.linkFault).toMatch(/^board: CRC mismatch/);
  });

  it('a host check failing a test that passed on the device fails it with the host message', () => {
    const recorder = new DeviceRecorder('board', (signal, test) => recorder.hostFailure(test!, `host: ${signal.name} failed`));
    for (const line of frames([{ e: 'begin', count: 1 }, { e: 'test', id: 0, name: 'a' }, { e: 'signal', id: 0, name: 'check', data: null }, { e: 'pass', id: 0, ms: 1 }])) recorder.line(line);
    expect(recorder.tests[0]).toMatchObject({ status: 'failed', message: 'host: check failed' });
  });
});
