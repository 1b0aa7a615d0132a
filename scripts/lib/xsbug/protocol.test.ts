/**
 * The xsbug serial framing, byte for byte as serial2xsbug and a Moddable debug build send it, and
 * the mod archives: source archives round-trip, damaged ones are refused with the reason.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiveError, checkArchiveHeader, packSourceArchive, unpackSourceArchive } from './archive.js';
import { Command, ConsoleText, DeviceStreamDecoder, HostStreamDecoder, encodeCommand, encodeMessage, encodeReply, encodeTagLine, type DeviceEvent, type HostEvent } from './protocol.js';

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('host → device commands', () => {
  it('are framed as serial2xsbug frames them: CRLF, a # tag, a 16-bit length, command, id, payload', () => {
    // serial2xsbug's install-space request to machine 0x3FFB1234: length 3, command 15, id 0xff0f.
    expect(latin1(encodeCommand(0x3ffb1234, Command.installSpace, 0xff0f))).toBe('\r\n<?xs#3FFB1234?>\x00\x03\x0f\xff\x0f');
    // A restart is the command byte alone.
    expect(latin1(encodeCommand(1, Command.restart))).toBe('\r\n<?xs#00000001?>\x00\x01\x01');
  });

  it('are read back by the device across any chunking, past line noise, with tags reported', () => {
    const events: HostEvent[] = [];
    const decoder = new HostStreamDecoder((e) => events.push(e));
    const install = encodeCommand(0xab, Command.install, 0xe0e0, Uint8Array.from([0, 0, 0, 4, 1, 2, 3, 0x0d, 0x0a]));
    const stream = Buffer.concat([Buffer.from('garbage <?xs\r\n'), Buffer.from(encodeTagLine('open', 0)), Buffer.from(install), Buffer.from(encodeCommand(0xab, Command.restart))]);
    for (const byte of stream) decoder.push(Uint8Array.of(byte));
    expect(events.map((e) => e.type)).toEqual(['tag', 'tag', 'command', 'tag', 'command']);
    expect(events[2]).toMatchObject({ machine: 0xab, command: Command.install, id: 0xe0e0 });
    expect(Array.from((events[2] as { payload: Uint8Array }).payload)).toEqual([0, 0, 0, 4, 1, 2, 3, 0x0d, 0x0a]);
    expect(events[4]).toMatchObject({ command: Command.restart, id: 0 });
  });
});

describe('device → host', () => {
  it('reads tags, messages, replies (with signed codes) and boot noise, split anywhere', () => {
    const events: DeviceEvent[] = [];
    const decoder = new DeviceStreamDecoder((e) => events.push(e));
    const stream = Buffer.concat([
      Buffer.from('ets Jun  8 2016 00:22:57\r\n'),
      Buffer.from(encodeTagLine('open', 0x10)),
      Buffer.from(encodeMessage('<login name="main" value="XS &amp; co"/>')),
      Buffer.from(encodeMessage('<log>a &lt;b&gt; c\n</log>')),
      Buffer.from(encodeReply(0x10, 0xff0f, 0, Uint8Array.from([0, 16, 0, 0, 0, 0, 8, 0]))),
      Buffer.from(encodeReply(0x10, 7, -2)),
      Buffer.from(encodeTagLine('close', 0x10)),
    ]);
    for (let at = 0; at < stream.length; at += 3) decoder.push(stream.subarray(at, at + 3));
    expect(events).toEqual([
      { type: 'line', text: 'ets Jun  8 2016 00:22:57' },
      { type: 'machine', machine: 0x10, open: true },
      { type: 'login', machine: 0x10, name: 'main', value: 'XS & co' },
      { type: 'log', machine: 0x10, text: 'a <b> c\n' },
      { type: 'reply', machine: 0x10, id: 0xff0f, code: 0, data: Uint8Array.from([0, 16, 0, 0, 0, 0, 8, 0]) },
      { type: 'reply', machine: 0x10, id: 7, code: -2, data: new Uint8Array(0) },
      { type: 'machine', machine: 0x10, open: false },
    ]);
  });

  it('shows on a console as text: tags hidden, a log split by its own newline joined', () => {
    const text = new ConsoleText();
    expect(text.push('<?xs.0000ABCD?>')).toBeUndefined();
    expect(text.push('<xsbug><log>two')).toBeUndefined();
    expect(text.push('lines</log></xsbug>')).toBe('two\nlines');
    expect(text.push('<xsbug><login name="main" value="XS"/></xsbug>')).toBe('--- XS machine: XS');
    expect(text.push('plain output')).toBe('plain output');
  });
});

describe('mod archives', () => {
  const build = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-xsa-'));
    writeFileSync(path.join(dir, 'manifest.json'), '{"modules":{"main":"./main"}}');
    writeFileSync(path.join(dir, 'main.js'), 'trace("hi\\n");');
    mkdirSync(path.join(dir, 'lib'));
    writeFileSync(path.join(dir, 'lib', 'x.js'), 'export default 1;');
    return dir;
  };

  it('a build folder packs into a source archive that passes serial2xsbug\'s header check and unpacks whole', () => {
    const archive = packSourceArchive(build(), 'app');
    expect(Buffer.from(archive).readUInt32BE(0)).toBe(archive.length);
    expect(latin1(archive.subarray(4, 8))).toBe('XS_A');
    expect(Buffer.from(archive).readUInt32BE(8)).toBe(12);
    expect(latin1(archive.subarray(12, 16))).toBe('VERS');
    expect(checkArchiveHeader(archive).kind).toBe('source');
    const { name, files } = unpackSourceArchive(archive);
    expect(name).toBe('app');
    expect([...files.keys()]).toEqual(['lib/x.js', 'main.js', 'manifest.json']);
    expect(Buffer.from(files.get('main.js')!).toString()).toBe('trace("hi\\n");');
  });

  it('refuses what is not whole: a flipped byte, a cut archive, a wrong type, a bytecode archive', () => {
    const archive = packSourceArchive(build(), 'app');
    const flipped = archive.slice();
    flipped[flipped.length - 3] ^= 1;
    expect(() => unpackSourceArchive(flipped)).toThrow(/do not match their SHA-256/);
    expect(() => checkArchiveHeader(archive.subarray(0, archive.length - 10))).toThrow(/header says \d+ bytes, the file has/);
    const wrong = archive.slice();
    wrong.set([0x58, 0x58, 0x58, 0x58], 4);
    expect(() => checkArchiveHeader(wrong)).toThrow(ArchiveError);
    const bytecode = archive.slice();
    bytecode.set([16, 1, 0, 0], 16); // an XS version: what mcrun writes
    expect(checkArchiveHeader(bytecode).kind).toBe('xs');
    expect(() => unpackSourceArchive(bytecode)).toThrow(/XS bytecode archive/);
    expect(() => packSourceArchive(mkdtempSync(path.join(os.tmpdir(), 'mote-xsa-')), 'x')).toThrow(/has no manifest.json/);
  });
});
