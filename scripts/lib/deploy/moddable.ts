/**
 * Installs a mod on a board running a Moddable debug build, over its xsbug serial connection,
 * without reflashing the host: what the Moddable SDK's `mcrun` does through serial2xsbug.
 *
 * 1. Find the board's XS machine: reset it (DTR/RTS, where the port has them) and probe with a tag
 *    until it announces itself with a login; without one, retry, then give up with a clear error.
 * 2. Set the preferences asked for (`domain.key` = string or bytes), each acknowledged.
 * 3. Ask for the install space and fragment size; refuse a mod that does not fit.
 * 4. Send the archive in fragments, each acknowledged by its id: first 4 bytes at 0 (the board
 *    erases the partition), then the rest from offset 4, then bytes 4..7 again, so the archive's
 *    type lands last and an interrupted install never looks whole. A fragment without an answer
 *    is sent again (writes are by offset, so a repeat is harmless); a refused one fails the deploy.
 * 5. Restart the board and wait for its new machine's login, collecting the first lines it logs; a
 *    board that checks the archive at boot (mote's virtual board) logs `mod refused: …` when the
 *    bytes that arrived are not the archive sent, which fails the deploy.
 * Host-side code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FlashError } from '../esp-rom/errors.js';
import { hardResetChip } from '../esp-rom/reset.js';
import type { SerialPort } from 'serialport';
import { openSerialTransport, serialPortTransport, type Transport } from '../esp-rom/transport.js';
import { checkArchiveHeader } from '../xsbug/archive.js';
import { Command, DeviceStreamDecoder, PreferenceKind, encodeCommand, encodeTagLine, readU32, type DeviceEvent } from '../xsbug/protocol.js';
import { DeployError } from './espruino.js';

export interface ModdableDeployOptions {
  path: string;
  /** The port, already open (it stays open); default: `path` is opened and closed again. */
  port?: SerialPort;
  /** The mod: an XS archive from mcrun, or a source archive for the virtual board (archive.ts). */
  archive: Uint8Array;
  baudRate?: number;
  /** Preferences to set before the install: `domain.key` → a string, or bytes. */
  preferences?: Record<string, string | Uint8Array>;
  /** How long to wait for each answer (default 3000 ms). */
  answerTimeoutMs?: number;
  /** How long to gather the restarted board's log (default 500 ms). */
  settleMs?: number;
  onProgress?: (sent: number, total: number) => void;
}

export interface ModdableDeployResult {
  bytes: number;
  fragments: number;
  /** Fragments sent again after no answer came. */
  resent: number;
  /** The login the restarted board gave, and its XS machine. */
  login: string;
  machine: number;
  /** What the restarted board logged first. */
  log: string[];
  ms: number;
}

/** The first four bytes, then the rest from 4, then 4..7 again: the install order. */
const FIRST_BYTES = 4;
const RETRIES = 3;
/** Bigger fragments than this are not asked for (serial2xsbug's limit too). */
const MAX_FRAGMENT = 4096;
/** Marks the login of mote's virtual board (scripts/lib/virtual-board/moddable-board.ts). */
const SOURCE_MODS = 'source mods';

class Session {
  private readonly decoder: DeviceStreamDecoder;
  private readonly waiters: { match: (event: DeviceEvent) => boolean; resolve: (event: DeviceEvent) => void }[] = [];
  machine: number | undefined;
  login = '';
  readonly logs: string[] = [];
  private nextId = 0;

  constructor(private readonly transport: Transport) {
    this.decoder = new DeviceStreamDecoder((event) => this.event(event));
    transport.onData((bytes) => this.decoder.push(bytes));
  }

  private event(event: DeviceEvent): void {
    if (event.type === 'login') {
      this.machine = event.machine;
      this.login = event.value;
    }
    if (event.type === 'log') this.logs.push(event.text.replace(/\n$/, ''));
    const index = this.waiters.findIndex((w) => w.match(event));
    if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(event);
  }

  /** The next event `match` accepts, or undefined after `ms`. */
  next(match: (event: DeviceEvent) => boolean, ms: number): Promise<DeviceEvent | undefined> {
    return new Promise((resolve) => {
      const waiter = { match, resolve: (event: DeviceEvent | undefined) => (clearTimeout(timer), resolve(event)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(undefined);
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /** Sends a command and waits for its reply: the reply's code and data, or undefined on no answer. */
  async request(command: number, payload: Uint8Array, ms: number): Promise<{ code: number; data: Uint8Array } | undefined> {
    const id = (this.nextId = (this.nextId % 0xfffe) + 1);
    const answer = this.next((e) => e.type === 'reply' && e.id === id, ms);
    await this.transport.write(encodeCommand(this.machine!, command, id, payload));
    const reply = await answer;
    return reply?.type === 'reply' ? { code: reply.code, data: reply.data } : undefined;
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.transport.write(bytes);
  }
}

/** Resets the board where the port can (a pty cannot: the probe tag reaches the board instead). */
async function reset(transport: Transport): Promise<void> {
  try {
    await hardResetChip(transport);
  } catch (error) {
    if (!(error instanceof FlashError && error.kind === 'no-modem-lines')) throw error;
  }
}

async function connect(session: Session, transport: Transport, options: ModdableDeployOptions, wait: number): Promise<void> {
  for (let attempt = 0; attempt < RETRIES && session.machine === undefined; attempt++) {
    const login = session.next((e) => e.type === 'login', wait);
    if (attempt > 0) await reset(transport);
    await session.send(encodeTagLine('open', 0));
    await login;
  }
  if (session.machine === undefined) {
    throw new DeployError(
      `no XS machine answered on ${options.path} in ${RETRIES} tries: the board must run a Moddable debug build (mcconfig -d) at ${options.baudRate ?? 115200} baud, and no other program (xsbug, a monitor) may hold the port`,
    );
  }
}

function preferencePayload(name: string, value: string | Uint8Array): Uint8Array {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) throw new DeployError(`preference "${name}" must be named domain.key`);
  const isText = typeof value === 'string';
  const bytes = isText ? new TextEncoder().encode(value) : value;
  const head = new TextEncoder().encode(`${name.slice(0, dot)}\0${name.slice(dot + 1)}\0`);
  return Uint8Array.from([...head, isText ? PreferenceKind.string : PreferenceKind.buffer, ...bytes]);
}

export async function deployModdable(options: ModdableDeployOptions): Promise<ModdableDeployResult> {
  const started = performance.now();
  const wait = options.answerTimeoutMs ?? 3000;
  let kind: 'source' | 'xs';
  try {
    kind = checkArchiveHeader(options.archive).kind;
  } catch (error) {
    throw new DeployError((error as Error).message);
  }
  let transport: Transport;
  try {
    transport = options.port ? serialPortTransport(options.port, options.path, true) : await openSerialTransport(options.path, options.baudRate ?? 115200);
  } catch (error) {
    throw new DeployError((error as Error).message);
  }
  try {
    const session = new Session(transport);
    await connect(session, transport, options, wait);
    const virtual = session.login.includes(SOURCE_MODS);
    if (kind === 'source' && !virtual) {
      throw new DeployError(`this is a source archive, for mote's virtual board; the board on ${options.path} ("${session.login}") needs an XS archive made by mcrun (Moddable SDK)`);
    }
    if (kind === 'xs' && virtual) throw new DeployError(`the virtual board on ${options.path} runs source archives: deploy the Moddable build folder, not an mcrun archive`);

    const ask = async (what: string, command: number, payload: Uint8Array) => {
      const reply = await session.request(command, payload, wait);
      if (!reply) throw new DeployError(`no answer from the board to ${what} within ${wait} ms`);
      if (reply.code !== 0) throw new DeployError(`the board refused ${what} (code ${reply.code})`);
      return reply.data;
    };
    for (const [name, value] of Object.entries(options.preferences ?? {})) await ask(`preference ${name}`, Command.setPreference, preferencePayload(name, value));

    const space = await ask('the install-space request', Command.installSpace, new Uint8Array(0));
    if (space.length < 4) throw new DeployError('the board answered the install-space request without a size');
    const available = readU32(space, 0);
    const fragment = space.length >= 8 ? Math.min(MAX_FRAGMENT, Math.max(FIRST_BYTES + 1, readU32(space, 4))) : 512;
    const archive = options.archive;
    if (archive.length > available) throw new DeployError(`the mod needs ${archive.length} bytes; the board has ${available} for mods`);

    const pieces: [number, number][] = [[0, FIRST_BYTES]];
    for (let at = FIRST_BYTES; at < archive.length; at += fragment) pieces.push([at, Math.min(archive.length, at + fragment)]);
    pieces.push([FIRST_BYTES, 2 * FIRST_BYTES]);
    let resent = 0;
    let sent = 0;
    for (const [from, to] of pieces) {
      const payload = Uint8Array.from([(from >>> 24) & 255, (from >>> 16) & 255, (from >>> 8) & 255, from & 255, ...archive.subarray(from, to)]);
      let reply: { code: number } | undefined;
      for (let attempt = 0; attempt < RETRIES && !reply; attempt++) {
        if (attempt > 0) resent++;
        reply = await session.request(Command.install, payload, wait);
      }
      if (!reply) throw new DeployError(`no answer to the fragment at offset ${from} after ${RETRIES} tries: the link dropped; the board keeps no partial mod (deploy again)`);
      if (reply.code !== 0) throw new DeployError(`the board refused the fragment at offset ${from} (code ${reply.code}); the board keeps no partial mod`);
      sent = Math.min(archive.length, sent + (to - from));
      options.onProgress?.(sent, archive.length);
    }

    const previous = session.machine;
    const login = session.next((e) => e.type === 'login', wait * 2);
    session.logs.length = 0;
    await session.send(encodeCommand(previous!, Command.restart));
    if (!(await login)) throw new DeployError(`the mod is installed, but the board did not come back within ${wait * 2} ms of the restart`);
    await sleep(options.settleMs ?? 500);
    // No command reads a mod back: a board that checks the archive at boot says so in its log.
    const refused = session.logs.find((line) => line.startsWith('mod refused:'));
    if (refused) throw new DeployError(`the board refused the installed mod at boot (${refused.slice('mod refused: '.length)}); deploy again`);
    return {
      bytes: archive.length,
      fragments: pieces.length,
      resent,
      login: session.login,
      machine: session.machine!,
      log: [...session.logs],
      ms: Math.round(performance.now() - started),
    };
  } finally {
    await transport.close();
  }
}
