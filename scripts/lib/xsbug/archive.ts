/**
 * Mod archives: what `mote deploy` installs on a Moddable board. Host-side code.
 *
 * An XS archive is a tree of atoms, each a 32-bit big-endian size (header included) and a
 * four-letter type; the root is `XS_A`, whose first child is a 12-byte `VERS`. The Moddable SDK's
 * `mcrun` makes archives of XS bytecode for a real device; `mote deploy` installs those as they
 * are, after the same header check serial2xsbug makes.
 *
 * mote's virtual Moddable board runs JavaScript source (the XS engine compiles it at boot), so for
 * it a Moddable build folder is packed into a *source archive* with the same atom framing:
 * `VERS` = 0.0.0 with 'm' as its fourth byte (a real XS refuses the version, so a source archive
 * sent to a real device is never run as bytecode), `NAME` (the app), `SIGN` (SHA-256 of the FILE
 * atoms, checked at boot so a damaged install is refused), then one `FILE` per build file
 * (path, NUL, contents).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readU32, u32 } from './protocol.js';

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

const SOURCE_VERSION = [0, 0, 0, 0x6d];

function atom(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out.set(u32(out.length), 0);
  out.set(Array.from(type, (c) => c.charCodeAt(0)), 4);
  out.set(payload, 8);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

/** Checks an archive's header as serial2xsbug does: its size, `XS_A`, and a 12-byte `VERS` first. */
export function checkArchiveHeader(bytes: Uint8Array): { kind: 'source' | 'xs' } {
  if (bytes.length < 20) throw new ArchiveError(`not an XS archive: ${bytes.length} bytes, an archive has at least 20`);
  const type = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (type(4) !== 'XS_A') throw new ArchiveError(`not an XS archive: it starts with "${type(4)}" where "XS_A" belongs`);
  if (readU32(bytes, 0) !== bytes.length) throw new ArchiveError(`damaged XS archive: its header says ${readU32(bytes, 0)} bytes, the file has ${bytes.length}`);
  if (readU32(bytes, 8) !== 12 || type(12) !== 'VERS') throw new ArchiveError('damaged XS archive: its first atom is not a 12-byte VERS');
  const version = Array.from(bytes.subarray(16, 20));
  return { kind: version.every((b, i) => b === SOURCE_VERSION[i]) ? 'source' : 'xs' };
}

/** Every file under `dir` (relative POSIX paths), sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, prefix)).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    if (statSync(path.join(dir, rel)).isDirectory()) out.push(...filesUnder(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** Packs a Moddable build folder (manifest.json and its modules, not source maps) into a source archive. */
export function packSourceArchive(buildDir: string, name: string): Uint8Array {
  let files: string[];
  try {
    files = filesUnder(buildDir);
  } catch (error) {
    throw new ArchiveError(`cannot read the build folder ${buildDir}: ${(error as Error).message}`);
  }
  if (!files.includes('manifest.json')) throw new ArchiveError(`${buildDir} is not a Moddable build: it has no manifest.json ('mote build --target moddable' makes one)`);
  // Source maps stay on the host (mote monitor and mote decode read them there).
  files = files.filter((file) => !file.endsWith('.map'));
  const fileAtoms = concat(files.map((file) => atom('FILE', concat([new TextEncoder().encode(`${file}\0`), readFileSync(path.join(buildDir, file))]))));
  const body = concat([
    atom('VERS', Uint8Array.from(SOURCE_VERSION)),
    atom('NAME', new TextEncoder().encode(`${name}\0`)),
    atom('SIGN', sha256(fileAtoms)),
    fileAtoms,
  ]);
  return atom('XS_A', body);
}

/** The atoms directly inside `bytes[start..end)`, each checked to fit. */
function children(bytes: Uint8Array, start: number, end: number): { type: string; payload: Uint8Array; at: number }[] {
  const out: { type: string; payload: Uint8Array; at: number }[] = [];
  for (let at = start; at < end; ) {
    if (end - at < 8) throw new ArchiveError(`damaged archive: ${end - at} stray bytes at offset ${at}`);
    const size = readU32(bytes, at);
    if (size < 8 || at + size > end) throw new ArchiveError(`damaged archive: the atom at offset ${at} claims ${size} bytes, ${end - at} remain`);
    out.push({ type: String.fromCharCode(...bytes.subarray(at + 4, at + 8)), payload: bytes.subarray(at + 8, at + size), at });
    at += size;
  }
  return out;
}

export interface SourceArchive {
  name: string;
  /** Build files by relative path. */
  files: Map<string, Uint8Array>;
}

/** Reads a source archive back, checking every atom and the SHA-256 of its files. */
export function unpackSourceArchive(bytes: Uint8Array): SourceArchive {
  if (checkArchiveHeader(bytes).kind !== 'source') throw new ArchiveError('an XS bytecode archive (from mcrun): it runs on a real Moddable device, not on the virtual board');
  const atoms = children(bytes, 8, bytes.length);
  const one = (type: string) => atoms.find((a) => a.type === type);
  const name = one('NAME');
  const sign = one('SIGN');
  if (!name || !sign) throw new ArchiveError(`damaged archive: no ${name ? 'SIGN' : 'NAME'} atom`);
  const fileAtoms = atoms.filter((a) => a.type === 'FILE');
  const first = fileAtoms[0]?.at ?? bytes.length;
  if (Buffer.compare(sha256(bytes.subarray(first)), sign.payload) !== 0) throw new ArchiveError('damaged archive: its files do not match their SHA-256 (an install interrupted or corrupted on the way)');
  const files = new Map<string, Uint8Array>();
  for (const file of fileAtoms) {
    const nul = file.payload.indexOf(0);
    if (nul <= 0) throw new ArchiveError(`damaged archive: the FILE atom at offset ${file.at} has no name`);
    files.set(new TextDecoder().decode(file.payload.subarray(0, nul)), file.payload.subarray(nul + 1));
  }
  return { name: new TextDecoder().decode(name.payload).replace(/\0$/, ''), files };
}
