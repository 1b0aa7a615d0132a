/**
 * mote's Moddable deploy (a mod install over the xsbug serial protocol) against the virtual
 * Moddable board on a pseudo-terminal: the mod running on the real XS engine after the restart,
 * preferences it reads, a second install replacing the first, lost answers resent, and the errors
 * for an archive that does not fit the board and for a port where nothing answers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware } from '../../../firmware/build/targets.js';
import { openPtyPair } from '../esp-rom/sim/pty.js';
import { packageFile } from '../paths.js';
import { ModdableBoard } from '../virtual-board/moddable-board.js';
import { packSourceArchive } from '../xsbug/archive.js';
import { encodeMessage, encodeTagLine } from '../xsbug/protocol.js';
import { deployModdable } from './moddable.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

let modApp: Uint8Array;
let blink: Uint8Array;
beforeAll(async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'mote-mod-deploy-'));
  const build = async (entry: string, name: string) => {
    const outDir = path.join(root, name);
    await buildFirmware({ target: 'moddable', entry: packageFile(entry), outDir, name });
    return packSourceArchive(outDir, name);
  };
  modApp = await build('scripts/lib/deploy/fixtures/mod-app/main.ts', 'mod-app');
  blink = await build('firmware/examples/blink/main.ts', 'blink');
});

function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => (condition() ? resolve() : Date.now() - started > ms ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(check, 10));
    check();
  });
}

async function startBoard(): Promise<{ board: ModdableBoard; lines: string[] }> {
  const lines: string[] = [];
  const board = await ModdableBoard.start({ onLine: (line) => lines.push(line) });
  stops.push(() => board.stop());
  return { board, lines };
}

describe('deployModdable to a virtual Moddable board over a pty', () => {
  it('installs the mod in acknowledged fragments, sets its preferences, restarts the board, and the mod runs', async () => {
    const { board, lines } = await startBoard();
    expect(lines).toContain('no mod installed');
    const progress: number[] = [];
    const result = await deployModdable({
      path: board.path,
      archive: modApp,
      preferences: { 'app.greeting': new TextEncoder().encode('hello from the host') },
      onProgress: (sent) => progress.push(sent),
    });
    expect(result.bytes).toBe(modApp.length);
    // 4 bytes, the rest in 2048-byte fragments from offset 4, then bytes 4..7 again.
    expect(result.fragments).toBe(2 + Math.ceil((modApp.length - 4) / 2048));
    expect(result.resent).toBe(0);
    expect(progress.at(-1)).toBe(modApp.length);
    expect(result.login).toContain('source mods');
    expect(Buffer.from(board.partition.subarray(0, modApp.length)).equals(Buffer.from(modApp))).toBe(true);
    await until(() => lines.includes('mod-app: greeting hello from the host'), 'the mod to log the greeting');
    expect(result.log.some((line) => line.startsWith('mod "mod-app" verified'))).toBe(true);
    await until(() => board.device?.level(2) === 1, 'the LED');
    expect((await board.preferences())['app.greeting']).toBe('hello from the host');
  });

  it('a second install replaces the first; the preferences stay', async () => {
    const { board, lines } = await startBoard();
    await deployModdable({ path: board.path, archive: modApp, preferences: { 'app.greeting': new TextEncoder().encode('kept') } });
    await until(() => lines.includes('mod-app: greeting kept'), 'the first mod');
    await deployModdable({ path: board.path, archive: blink });
    await until(() => (board.device?.pins.length ?? 0) >= 3, 'blink to toggle the LED');
    expect(board.device!.pins.slice(0, 2).map((p) => p.level)).toEqual([1, 0]);
    expect(lines.filter((l) => l.startsWith('mod "blink" verified'))).toHaveLength(1);
    expect((await board.preferences())['app.greeting']).toBe('kept');
  });

  it('sends a fragment again when its answer is lost, and the install completes', async () => {
    const { board, lines } = await startBoard();
    // Swallow the board's answer to the second install fragment, once.
    const original = board['send'].bind(board) as (bytes: Uint8Array) => void;
    let replies = 0;
    board['send'] = (bytes: Uint8Array) => {
      if (bytes.includes(0x23) && Buffer.from(bytes).toString('latin1').includes('<?xs#')) {
        replies++;
        if (replies === 3) return; // install-space, fragment 1, then this one: fragment 2's answer
      }
      original(bytes);
    };
    const result = await deployModdable({ path: board.path, archive: modApp, answerTimeoutMs: 400 });
    expect(result.resent).toBe(1);
    await until(() => lines.includes('mod-app: greeting (none)'), 'the mod');
  });

  it('a fragment corrupted on the way is caught by the board at boot, and the deploy fails saying so', async () => {
    const { board, lines } = await startBoard();
    const install = board['install'].bind(board) as (payload: Uint8Array) => number;
    let fragments = 0;
    board['install'] = (payload: Uint8Array) => {
      if (++fragments === 3) payload[payload.length - 1] ^= 0x20; // line noise flips a bit
      return install(payload);
    };
    await expect(deployModdable({ path: board.path, archive: modApp })).rejects.toThrow(/the board refused the installed mod at boot \(damaged archive: its files do not match their SHA-256/);
    expect(lines.some((line) => line.startsWith('mod-app:'))).toBe(false);
  });

  it('refuses a mod bigger than the install space, and an archive that is not one, before writing', async () => {
    const { board } = await startBoard();
    const huge = new Uint8Array(2 * 1024 * 1024);
    huge.set(modApp.subarray(0, 20));
    huge.set([0, 0x20, 0, 0], 0); // the header's size: 2 MiB
    await expect(deployModdable({ path: board.path, archive: huge })).rejects.toThrow(/the mod needs 2097152 bytes; the board has 1048576/);
    await expect(deployModdable({ path: board.path, archive: new TextEncoder().encode('not an archive at all, no') })).rejects.toThrow(/not an XS archive/);
    expect(board.partition[0]).toBe(0xff);
  });

  it('refuses a source archive for a real Moddable device, and fails clearly when nothing answers', async () => {
    // A "real device" on a pty: it announces an XS machine with its own login.
    const pair = await openPtyPair();
    stops.push(() => pair.close());
    const device = new SerialPort({ path: pair.device, baudRate: 115200 });
    stops.push(() => new Promise((resolve) => device.close(resolve)));
    device.on('data', () => {
      device.write(Buffer.from(encodeTagLine('open', 7)));
      device.write(Buffer.from(encodeMessage('<login name="main" value="XS 16.0.1"/>')));
    });
    await expect(deployModdable({ path: pair.host, archive: modApp })).rejects.toThrow(/source archive, for mote's virtual board; .*needs an XS archive made by mcrun/);

    const silent = await openPtyPair();
    stops.push(() => silent.close());
    await expect(deployModdable({ path: silent.host, archive: modApp, answerTimeoutMs: 200 })).rejects.toThrow(/no XS machine answered .* in 3 tries: the board must run a Moddable debug build/);
    await expect(deployModdable({ path: '/dev/mote-no-such-port', archive: modApp })).rejects.toThrow(/no serial port at \/dev\/mote-no-such-port/);
  });
});
