/**
 * Deploys a built Espruino app to a board that already runs Espruino, over its console (the
 * REPL), without reflashing the engine: what the Espruino IDE's "save to flash" does.
 *
 * 1. Get the console's attention: Ctrl-C, then a DLE line (0x10: no echo, no `=` answer) that
 *    prints a marker; without an answer, Ctrl-C again and retry, then give up with a clear error.
 * 2. `reset()`, and wait for the marker again.
 * 3. Optionally erase the app data in Storage (every file whose name does not start with "."; the
 *    Storage HAL's files are `domain.key`, Espruino's own, such as `.bootcde`, start with ".").
 * 4. Write any extra Storage files (settings), then the app to `.bootcde`, each in chunks
 *    (`Storage.write(name, data, offset, size)`; the first chunk sizes the file), each line
 *    acknowledged by a marker before the next, so the board's input buffer never overflows.
 * 5. Read each file's length and a checksum back from the board and compare.
 * 6. `load()`: the board restarts into the new app.
 */
import { SerialPort } from 'serialport';

export interface DeployOptions {
  /** The board's serial port. */
  path: string;
  /** The port already open (it stays open): for callers that go on reading the console. Default: open `path`. */
  port?: SerialPort;
  /** The app (a `mote build --target espruino` script). */
  code: string;
  baudRate?: number;
  /** Bytes of the app per line (default 512). */
  chunkBytes?: number;
  /** How long to wait for each answer (default 3000 ms). */
  answerTimeoutMs?: number;
  onProgress?: (sent: number, total: number) => void;
  /** Storage files to write before the app starts (name → text, stored as its UTF-8 bytes). */
  files?: Record<string, string>;
  /** Erase the app data in Storage first (files not starting with "."), so the app starts as on a new board. */
  eraseData?: boolean;
}

export interface DeployResult {
  bytes: number;
  chunks: number;
  checksum: number;
  ms: number;
}

export class DeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployError';
  }
}

const DLE = '\x10';
/** How long restartEspruino waits for the idle board's answer before asking again. */
const RESEND_MS = 500;
const CTRL_C = '\x03';
const FILE = '.bootcde';

/** The checksum the board computes too: h = h*31 + byte, in 32 bits. */
export function checksum(bytes: string): number {
  let h = 0;
  for (let i = 0; i < bytes.length; i++) h = (Math.imul(h, 31) + bytes.charCodeAt(i)) | 0;
  return h;
}
/** The same, as one Espruino expression over a string (Espruino has no Math.imul: 31h = 32h - h). */
const BOARD_CHECKSUM = '(function(s){var h=0;for(var i=0;i<s.length;i++)h=(((h<<5)-h)+s.charCodeAt(i))|0;return h})';

/** A JavaScript string literal of binary `bytes` that stays 7-bit on the wire. */
function literal(bytes: string): string {
  let out = '"';
  for (const ch of bytes) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export async function deployEspruino(options: DeployOptions): Promise<DeployResult> {
  const started = performance.now();
  const { path, chunkBytes = 512, answerTimeoutMs = 3000 } = options;
  const bytes = Buffer.from(options.code, 'utf8').toString('latin1');
  for (const file of Object.keys(options.files ?? {})) {
    if (file === '' || file.length > 28 || file === FILE) throw new DeployError(`cannot write the Storage file "${file}": names are 1-28 characters and ${FILE} is the app's`);
  }
  const port = options.port ?? (await openPort(path, options.baudRate ?? 115200));
  let received = '';
  const receive = (chunk: Buffer) => (received += chunk.toString('latin1'));
  port.on('data', receive);
  const send = (text: string) => new Promise<void>((resolve, reject) => port.write(Buffer.from(text, 'latin1'), (error) => (error ? reject(error) : port.drain(() => resolve()))));
  const marker = `mote${Math.random().toString(36).slice(2, 8)}`;
  let asked = 0;
  /** Sends a DLE line ending in a marker print, and resolves with the marker line's value. */
  const ask = async (statement: string, value = '""'): Promise<string> => {
    const tag = `${marker}:${asked++}`;
    await send(`${DLE}${statement};console.log("${tag}="+${value})\n`);
    const deadline = performance.now() + answerTimeoutMs;
    for (;;) {
      const at = received.indexOf(`${tag}=`);
      const end = at < 0 ? -1 : received.indexOf('\n', at);
      if (end >= 0) {
        const answer = received.slice(at + tag.length + 1, end).replace(/\r$/, '');
        received = received.slice(end + 1);
        return answer;
      }
      if (performance.now() > deadline) throw new DeployError(`no answer from the board within ${answerTimeoutMs} ms${received ? ` (it printed: ${JSON.stringify(received.slice(-200))})` : ''}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    // 1. The console's attention, with recovery when no prompt answers.
    let attention: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      await send(`${CTRL_C}${CTRL_C}\n`);
      try {
        await ask('0');
        attention = undefined;
        break;
      } catch (error) {
        attention = error;
      }
    }
    if (attention) throw new DeployError(`no Espruino console answers on ${path} (is Espruino flashed and running? try 'mote monitor')`);
    // 2. A clean interpreter.
    await send(`${DLE}reset();\n`);
    await new Promise((r) => setTimeout(r, 50));
    await ask('0');
    // 3. A clean flash for the app's data.
    if (options.eraseData) await ask('var S=require("Storage");S.list(/^[^.]/).forEach(function(f){S.erase(f)})');
    // 4, 5. Settings, then the app, each written in acknowledged chunks and checked.
    const write = async (file: string, content: string, progress?: (sent: number) => void): Promise<number> => {
      let chunks = 0;
      for (let offset = 0; offset < content.length || offset === 0; offset += chunkBytes) {
        const piece = content.slice(offset, offset + chunkBytes);
        const size = offset === 0 ? `,${content.length}` : '';
        const ok = await ask(`var w=require("Storage").write(${JSON.stringify(file)},${literal(piece)},${offset}${size})`, 'w');
        if (ok !== 'true') throw new DeployError(`the board could not write ${file} at offset ${offset} (Storage.write answered ${ok}); is its flash full?`);
        chunks++;
        progress?.(Math.min(content.length, offset + chunkBytes));
        if (content.length === 0) break;
      }
      const held = await ask(`var f=require("Storage").read(${JSON.stringify(file)})`, `(f===undefined?"none":f.length+" "+${BOARD_CHECKSUM}(f))`);
      const expected = `${content.length} ${checksum(content)}`;
      if (held !== expected) throw new DeployError(`${file} on the board does not match what was sent (length and checksum ${held}, expected ${expected}); nothing was started`);
      return chunks;
    };
    for (const [file, text] of Object.entries(options.files ?? {})) await write(file, Buffer.from(text, 'utf8').toString('latin1'));
    const chunks = await write(FILE, bytes, (sent) => options.onProgress?.(sent, bytes.length));
    // 6. Start it.
    await send(`${DLE}load();\n`);
    return { bytes: bytes.length, chunks, checksum: checksum(bytes), ms: Math.round(performance.now() - started) };
  } finally {
    port.off('data', receive);
    if (!options.port) await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  }
}

/** Opens a board's port, with an error that says what is wrong. */
export async function openPort(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => {
      if (!error) return resolve();
      const code = (error as NodeJS.ErrnoException).code ?? error.message;
      reject(new DeployError(/EACCES|Permission/.test(code) ? `permission denied opening ${path}` : /ENOENT|No such/.test(code) ? `no port ${path}` : `cannot open ${path}: ${error.message}`));
    }),
  );
  return port;
}

/**
 * Interrupts what runs on an open Espruino console and restarts the interpreter: `load` runs the
 * saved app again (Storage kept: a reset as the app sees it); `reset` leaves the board idle at its
 * prompt, and resolves once the board has answered from there (so closing the port next cannot
 * cut the command off).
 */
export async function restartEspruino(port: SerialPort, how: 'load' | 'reset', answerTimeoutMs = 3000): Promise<void> {
  const write = (text: string) => new Promise<void>((resolve, reject) => port.write(Buffer.from(text, 'latin1'), (error) => (error ? reject(error) : port.drain(() => resolve()))));
  if (how === 'load') return write(`${CTRL_C}${CTRL_C}\n${DLE}load();\n`);
  const tag = `mote${Math.random().toString(36).slice(2, 8)}:idle`;
  let received = '';
  const receive = (chunk: Buffer) => (received += chunk.toString('latin1'));
  port.on('data', receive);
  try {
    await write(`${CTRL_C}${CTRL_C}\n${DLE}reset();\n`);
    await new Promise((r) => setTimeout(r, 50));
    const deadline = performance.now() + answerTimeoutMs;
    let asked = Number.NEGATIVE_INFINITY;
    while (!received.includes(tag)) {
      if (performance.now() > deadline) throw new DeployError(`no answer from the board within ${answerTimeoutMs} ms after reset()`);
      // Asked again every RESEND_MS: a board may drop what arrives while it resets.
      if (performance.now() - asked >= RESEND_MS) {
        asked = performance.now();
        await write(`${DLE}console.log("${tag}")\n`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    port.off('data', receive);
  }
}
