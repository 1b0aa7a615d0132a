import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines.js';

describe('LineSplitter', () => {
  it('splits on \\n, \\r\\n and a lone \\r, decoding UTF-8 across chunks and escaping control bytes', () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from('one\r\ntwo\nthr\u00e9e\rfour\x1b[0m\tx\r\nrest', 'utf8');
    const lines: string[] = [];
    for (const byte of bytes) lines.push(...splitter.push(Uint8Array.of(byte)));
    expect(lines).toEqual(['one', 'two', 'thr\u00e9e', 'four\\x1b[0m\tx']);
    expect(splitter.rest()).toBe('rest');
    expect(new LineSplitter().push(Buffer.from([0x61, 0xff, 0x0a]))).toEqual(['a\ufffd']);
  });
});
