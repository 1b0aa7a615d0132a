/**
 * The xsbug protocol as a Moddable debug build speaks it over its USB serial port (what the
 * Moddable SDK's serial2xsbug relays to xsbug), both directions. Host-side code.
 *
 * A serial line carries any number of XS machines. A processing-instruction tag names the machine
 * the bytes after it belong to: `<?xs.XXXXXXXX?>` opens (or selects) machine XXXXXXXX (8 hex
 * digits), `<?xs-XXXXXXXX?>` closes it, `<?xs#XXXXXXXX?>` says one binary message follows.
 *
 * Device → host: every unit ends with CRLF. A tag line; an XML message `<xsbug>…</xsbug>` (login,
 * log, break, …) on one line; or a plain line that is neither (boot noise from the ROM and IDF).
 * After a `#` tag: a 16-bit big-endian length, then the message: a reply is
 * `[5, id16, code16 (signed), data…]`.
 *
 * Host → device: CRLF, a tag, then either CRLF and a text command (`<go/>`, …) ended by CRLF, or
 * (after a `#` tag, with no CRLF) a 16-bit big-endian length and a binary command
 * `[command, id16, payload…]`. A command with id 0 is not answered.
 */

/** Binary commands a host sends, by the number on the wire. */
export const Command = {
  restart: 1,
  uninstall: 2,
  install: 3,
  setPreference: 4,
  getPreference: 6,
  setTime: 9,
  load: 10,
  installSpace: 15,
} as const;

/** The binary message a device sends back for a command that carried an id. */
export const REPLY = 5;

/** Preference kinds in a set-preference command. */
export const PreferenceKind = { boolean: 1, integer: 2, string: 3, buffer: 4 } as const;

/** A tag's length as the device sends it: `<?xs.` + 8 hex digits + `?>` + CRLF. */
const TAG_BYTES = 17;
const CR = 13;
const LF = 10;

export type TagKind = 'open' | 'close' | 'binary';
const TAG_MARK: Record<TagKind, string> = { open: '.', close: '-', binary: '#' };

function machineHex(machine: number): string {
  return (machine >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** `<?xs.XXXXXXXX?>` and its kin. */
export function tag(kind: TagKind, machine: number): string {
  return `<?xs${TAG_MARK[kind]}${machineHex(machine)}?>`;
}

/** Reads a tag at `bytes[at..]` (15 bytes, without the CRLF), or undefined. */
export function readTag(bytes: Uint8Array, at: number): { kind: TagKind; machine: number } | undefined {
  if (at < 0 || at + 15 > bytes.length) return undefined;
  const text = String.fromCharCode(...bytes.subarray(at, at + 15));
  const match = /^<\?xs([.#-])([0-9A-Fa-f]{8})\?>$/.exec(text);
  if (!match) return undefined;
  const kind: TagKind = match[1] === '.' ? 'open' : match[1] === '-' ? 'close' : 'binary';
  return { kind, machine: Number.parseInt(match[2]!, 16) };
}

function u16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0) & 0xff);

/** Host → device: a binary command for `machine`; with no id and no payload, the command byte alone (restart). */
export function encodeCommand(machine: number, command: number, id?: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = id === undefined && payload.length === 0 ? [command] : [command, ...u16(id ?? 0), ...payload];
  if (body.length > 0xffff) throw new RangeError(`xsbug: a command carries at most 65535 bytes, this one ${body.length}`);
  return Uint8Array.from([CR, LF, ...ascii(tag('binary', machine)), ...u16(body.length), ...body]);
}

/** Host → device: a text command (`<go/>`, …) for `machine`. */
export function encodeTextCommand(machine: number, xml: string): Uint8Array {
  return new TextEncoder().encode(`\r\n${tag('open', machine)}\r\n${xml}\r\n`);
}

/** Device → host: the reply to command `id`. */
export function encodeReply(machine: number, id: number, code: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = [REPLY, ...u16(id), ...u16(code & 0xffff), ...data];
  return Uint8Array.from([CR, LF, ...ascii(tag('binary', machine)), CR, LF, ...u16(body.length), ...body]);
}

/** Device → host: a tag line. */
export function encodeTagLine(kind: TagKind, machine: number): Uint8Array {
  return new TextEncoder().encode(`\r\n${tag(kind, machine)}\r\n`);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
export const escapeXml = (text: string): string => text.replace(/[&<>"]/g, (c) => ESCAPES[c]!);

export function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_all, name: string, dec?: string, hex?: string) => {
    if (dec !== undefined) return String.fromCodePoint(Number(dec));
    if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex, 16));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name]!;
  });
}

/** Device → host: one XML message line. */
export function encodeMessage(xml: string): Uint8Array {
  return new TextEncoder().encode(`<xsbug>${xml}</xsbug>\r\n`);
}

/** What the host reads from a device, unit by unit. */
export type DeviceEvent =
  | { type: 'machine'; machine: number; open: boolean }
  | { type: 'login'; machine: number; name: string; value: string }
  | { type: 'log'; machine: number; text: string }
  | { type: 'break'; machine: number; path: string; line: number; message: string }
  | { type: 'xml'; machine: number; xml: string }
  | { type: 'reply'; machine: number; id: number; code: number; data: Uint8Array }
  /** A line outside the protocol: ROM and IDF boot noise, or garbage. */
  | { type: 'line'; text: string };

function attribute(xml: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(xml);
  return match ? unescapeXml(match[1]!) : undefined;
}

/** The events in one `<xsbug>…</xsbug>` message: xsbug's own elements are parsed, others passed as xml. */
function messageEvents(machine: number, xml: string): DeviceEvent[] {
  const events: DeviceEvent[] = [];
  const inner = xml.replace(/^<xsbug>/, '').replace(/<\/xsbug>$/, '');
  const element = /<(\w[\w-]*)([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g;
  for (let match = element.exec(inner); match; match = element.exec(inner)) {
    const [whole, name, attributes, , body = ''] = match;
    if (name === 'login') events.push({ type: 'login', machine, name: attribute(attributes!, 'name') ?? '', value: attribute(attributes!, 'value') ?? '' });
    else if (name === 'log') events.push({ type: 'log', machine, text: unescapeXml(body) });
    else if (name === 'break') {
      events.push({ type: 'break', machine, path: attribute(attributes!, 'path') ?? '', line: Number(attribute(attributes!, 'line') ?? 0), message: unescapeXml(body) });
    } else events.push({ type: 'xml', machine, xml: whole });
  }
  return events;
}

/**
 * Host side: turns the bytes a device sends into events, across chunk boundaries. Noise between
 * units is reported as lines, never mistaken for a message; a binary message's length is taken
 * as sent (a corrupted one is caught by the command's own checks, as serial2xsbug does).
 */
export class DeviceStreamDecoder {
  private buffer: number[] = [];
  private machine = 0;
  /** Bytes of a binary message still to read; -2/-1 while its length bytes are read. */
  private binary: number | undefined;
  private binaryLength = 0;

  constructor(private readonly emit: (event: DeviceEvent) => void) {}

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      this.buffer.push(byte);
      if (this.binary !== undefined) this.binaryByte();
      else if (byte === LF && this.buffer.length >= 2 && this.buffer[this.buffer.length - 2] === CR) this.unit();
    }
  }

  private binaryByte(): void {
    if (this.buffer.length === 1) this.binaryLength = this.buffer[0]! << 8;
    else if (this.buffer.length === 2) this.binaryLength |= this.buffer[1]!;
    if (this.buffer.length >= 2 && this.buffer.length === 2 + this.binaryLength) {
      const body = Uint8Array.from(this.buffer.slice(2));
      this.buffer = [];
      this.binary = undefined;
      if (body[0] === REPLY && body.length >= 5) {
        const code = ((body[3]! << 8) | body[4]!) << 16 >> 16;
        this.emit({ type: 'reply', machine: this.machine, id: (body[1]! << 8) | body[2]!, code, data: body.subarray(5) });
      }
    }
  }

  private unit(): void {
    const bytes = Uint8Array.from(this.buffer);
    this.buffer = [];
    const found = bytes.length >= TAG_BYTES ? readTag(bytes, bytes.length - TAG_BYTES) : undefined;
    if (found) {
      this.machine = found.machine;
      if (found.kind === 'binary') this.binary = 0;
      else this.emit({ type: 'machine', machine: found.machine, open: found.kind === 'open' });
      return;
    }
    const text = new TextDecoder().decode(bytes.subarray(0, bytes.length - 2));
    const start = text.indexOf('<xsbug>');
    if (start >= 0 && text.endsWith('</xsbug>')) {
      if (start > 0) this.emit({ type: 'line', text: text.slice(0, start) });
      for (const event of messageEvents(this.machine, text.slice(start))) this.emit(event);
    } else if (text !== '') this.emit({ type: 'line', text });
  }
}

/** What a device reads from the host. */
export type HostEvent =
  | { type: 'tag'; machine: number }
  | { type: 'command'; machine: number; command: number; id: number; payload: Uint8Array }
  | { type: 'text'; machine: number; xml: string };

/**
 * Device side: finds tags in what the host sends and reads the command after each. Bytes outside
 * a tag's unit are ignored, as a device ignores line noise.
 */
export class HostStreamDecoder {
  private buffer: number[] = [];
  private state: { kind: 'scan' } | { kind: 'binary'; machine: number } | { kind: 'text'; machine: number } = { kind: 'scan' };

  constructor(private readonly emit: (event: HostEvent) => void) {}

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      this.buffer.push(byte);
      if (this.state.kind === 'scan') this.scan();
      else if (this.state.kind === 'binary') this.binaryByte(this.state.machine);
      else this.textByte(this.state.machine);
    }
  }

  /** Whether a tag just ended the buffer; if so, the state it selects. */
  private tagged(): boolean {
    if (this.buffer.length < 15 || this.buffer[this.buffer.length - 1] !== 0x3e) return false;
    const found = readTag(Uint8Array.from(this.buffer.slice(-15)), 0);
    if (!found || found.kind === 'close') return false;
    this.buffer = [];
    this.state = found.kind === 'binary' ? { kind: 'binary', machine: found.machine } : { kind: 'text', machine: found.machine };
    this.emit({ type: 'tag', machine: found.machine });
    return true;
  }

  private scan(): void {
    if (this.buffer.length > 64) this.buffer.splice(0, this.buffer.length - 15);
    this.tagged();
  }

  private binaryByte(machine: number): void {
    if (this.buffer.length < 2) return;
    const length = (this.buffer[0]! << 8) | this.buffer[1]!;
    if (this.buffer.length < 2 + length) return;
    const body = Uint8Array.from(this.buffer.slice(2));
    this.buffer = [];
    this.state = { kind: 'scan' };
    if (body.length === 0) return;
    const id = body.length >= 3 ? (body[1]! << 8) | body[2]! : 0;
    this.emit({ type: 'command', machine, command: body[0]!, id, payload: body.subarray(3) });
  }

  private textByte(machine: number): void {
    if (this.tagged()) return;
    const n = this.buffer.length;
    if (n < 2 || this.buffer[n - 2] !== CR || this.buffer[n - 1] !== LF) return;
    const text = new TextDecoder().decode(Uint8Array.from(this.buffer.slice(0, n - 2)));
    this.buffer = [];
    if (text === '') return; // the CRLF right after the tag
    this.state = { kind: 'scan' };
    this.emit({ type: 'text', machine, xml: text });
  }
}

/**
 * What a serial console shows of the lines a Moddable debug build sends: a log's text, a login or
 * break as a short note, tags hidden; any other line as it is. A log's own newlines split an
 * xsbug message over several lines: they are joined again first.
 */
export class ConsoleText {
  private held: string[] = [];

  /** The text to show for `line`, or undefined (a tag, or part of a message still open). */
  push(line: string): string | undefined {
    if (this.held.length === 0 && /^<\?xs[.#-][0-9A-Fa-f]{8}\?>$/.test(line)) return undefined;
    const open = this.held.length > 0 || (line.includes('<xsbug>') && !line.endsWith('</xsbug>'));
    if (open) {
      this.held.push(line);
      if (!line.endsWith('</xsbug>') && this.held.length < 64) return undefined;
      line = this.held.join('\n');
      this.held = [];
    }
    const start = line.indexOf('<xsbug>');
    if (start < 0 || !line.endsWith('</xsbug>')) return line;
    const texts = messageEvents(0, line.slice(start)).map((event) => {
      if (event.type === 'log') return event.text.replace(/\n$/, '');
      if (event.type === 'login') return `--- XS machine: ${event.value}`;
      if (event.type === 'break') return `--- break at ${event.path}:${event.line}: ${event.message}`;
      return event.type === 'xml' ? event.xml : '';
    });
    return line.slice(0, start) + texts.join('\n');
  }
}
