/**
 * Flash throughput over the simulated link: the flasher writes an image to the simulated ROM (which paces
 * bytes at the baud rate, 10 bits a byte, and answers each block after "writing" it), and the effective rate
 * (image bytes per second of erase-write-verify, as the user waits for it) is printed against the line rate
 * (baud / 10 bytes per second) measured in the same run. A compressible image can beat the line rate; a random
 * one cannot: its ratio shows the protocol's overhead (headers, SLIP escapes, one round trip per 1 KiB block).
 */
import { createHash } from 'node:crypto';
import { chipById } from '../../scripts/lib/esp-chip/index.js';
import { flash } from '../../scripts/lib/esp-rom/flasher.js';
import { SimulatedEsp, wireLines } from '../../scripts/lib/esp-rom/sim/index.js';
import { openSerialTransport } from '../../scripts/lib/esp-rom/transport.js';

export interface FlashBenchRow {
  image: 'compressible' | 'random';
  baudRate: number;
  bytes: number;
  /** Deflated bytes sent. */
  sentBytes: number;
  /** Erase, write and MD5 verify of the region (fastest of the rounds). */
  ms: number;
  effectiveBytesPerSecond: number;
  lineBytesPerSecond: number;
  /** effective / line rate. */
  ratio: number;
}

/** Deterministic bytes that look random. */
function randomish(length: number, seed: string): Buffer {
  const blocks = Array.from({ length: Math.ceil(length / 32) }, (_, i) => createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

/** Firmware-like: a quarter random bytes, the rest repeated words and tables (deflates to about a third). */
function compressible(length: number): Buffer {
  const out = Buffer.alloc(length);
  const noise = randomish(length, 'noise');
  for (let at = 0; at < length; at += 64) {
    const chunk = at / 64;
    if (chunk % 4 === 0) noise.copy(out, at, at, Math.min(length, at + 64));
    else for (let i = at; i < Math.min(length, at + 64); i += 4) out.writeUInt32LE((0x40080000 + (i % 4096)) >>> 0, i);
  }
  return out;
}

async function measure(data: Buffer, baudRate: number): Promise<{ ms: number; sentBytes: number }> {
  const esp = await SimulatedEsp.start({ chip: chipById('esp32'), flashSize: 4 * 0x100000 });
  const transport = wireLines(await openSerialTransport(esp.path, 115200), esp);
  try {
    const result = await flash(transport, {
      regions: [{ name: 'image', offset: 0x10000, data }],
      flashSize: 4 * 0x100000,
      baudRate,
      resets: ['classic'],
      after: 'stay',
      skipIdentical: false,
    });
    return { ms: result.regions[0].ms, sentBytes: result.regions[0].sentBytes };
  } finally {
    await transport.close();
    await esp.close();
  }
}

export async function runFlashBench(options: { kib: number; rounds: number; baudRates: number[] }): Promise<FlashBenchRow[]> {
  const bytes = options.kib * 1024;
  const images = { compressible: compressible(bytes), random: randomish(bytes, 'random') };
  const rows: FlashBenchRow[] = [];
  for (const baudRate of options.baudRates) {
    for (const image of ['compressible', 'random'] as const) {
      let best: { ms: number; sentBytes: number } | undefined;
      for (let round = 0; round < options.rounds; round++) {
        const run = await measure(images[image], baudRate);
        if (best === undefined || run.ms < best.ms) best = run;
      }
      const effective = bytes / (best!.ms / 1000);
      const line = baudRate / 10;
      rows.push({ image, baudRate, bytes, sentBytes: best!.sentBytes, ms: best!.ms, effectiveBytesPerSecond: Math.round(effective), lineBytesPerSecond: line, ratio: effective / line });
    }
  }
  return rows;
}

export function formatFlashBench(rows: FlashBenchRow[]): string {
  const lines = ['image          baud     bytes    sent      ms   effective B/s   line B/s   ratio to line rate'];
  for (const r of rows) {
    lines.push(
      `${r.image.padEnd(14)} ${String(r.baudRate).padEnd(8)} ${String(r.bytes).padEnd(8)} ${String(r.sentBytes).padEnd(8)} ${String(r.ms).padStart(6)}   ${String(r.effectiveBytesPerSecond).padStart(13)}   ${String(r.lineBytesPerSecond).padStart(8)}   ${r.ratio.toFixed(3)}`,
    );
  }
  return lines.join('\n');
}
