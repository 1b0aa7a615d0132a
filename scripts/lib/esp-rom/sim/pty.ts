/**
 * A linked pair of pseudo-terminals, made by socat (Debian package `socat`): bytes written to one end come out
 * of the other. Node has no pty API; both ends are real ttys that serialport opens like a USB serial port.
 * A pty carries no modem lines: setting DTR/RTS on it fails with ENOTTY.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface PtyPair {
  /** The end the simulated chip holds. */
  device: string;
  /** The end the host (the flasher) opens. */
  host: string;
  close(): Promise<void>;
}

export async function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  let child: ChildProcess;
  try {
    child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`cannot start socat for a pseudo-terminal pair: ${(error as Error).message}`);
  }
  const paths = await new Promise<string[]>((resolve, reject) => {
    let text = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`socat did not report two ptys within ${timeoutMs} ms: ${text.trim()}`)), timeoutMs);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    child.on('error', (error: NodeJS.ErrnoException) =>
      fail(new Error(error.code === 'ENOENT' ? 'socat is not installed (Debian: apt-get install socat); the simulated ESP needs it for a pty pair' : error.message)),
    );
    child.on('exit', (code) => fail(new Error(`socat exited (${code}) before opening the ptys: ${text.trim()}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = [...text.matchAll(/PTY is (\S+)/g)].map((m) => m[1]);
      if (!settled && found.length === 2 && /starting data transfer loop/.test(text)) {
        settled = true;
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  child.stderr!.resume();
  return {
    device: paths[0],
    host: paths[1],
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
