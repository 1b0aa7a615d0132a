/** The serial ports of this machine, through serialport's `SerialPort.list()`. */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { PortInfo } from '../../../boards/detect.js';

export interface PortList {
  ports: PortInfo[];
  /** Why the list may be incomplete (e.g. no udevadm on Linux), when it may be. */
  note?: string;
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/**
 * Lists serial ports. On Linux serialport runs `udevadm` and, when it is missing, its child
 * process error escapes as an uncaught exception, so its absence is checked first.
 * Pseudo-terminals are never listed: pass them by path.
 */
export async function listPorts(): Promise<PortList> {
  if (process.platform === 'linux' && !onPath('udevadm')) {
    return { ports: [], note: 'cannot list serial ports: udevadm is not installed (Debian: apt-get install udev); pass --port' };
  }
  const { SerialPort } = await import('serialport');
  try {
    return { ports: await SerialPort.list() };
  } catch (error) {
    return { ports: [], note: `cannot list serial ports: ${(error as Error).message}` };
  }
}
