/**
 * A virtual board's way into its ROM bootloader. A pty carries no DTR/RTS, so no reset sequence
 * can reach the board: it enters download mode when a SLIP-framed SYNC request arrives while the
 * app runs (as if BOOT were held through a reset). From then on the simulated ROM
 * (../esp-rom/sim/rom.ts) answers the protocol with flash in memory, so `mote flash` works against
 * the board; when the ROM leaves (FLASH_END asking to run the app), the board boots its engine
 * again. Host-side code.
 */
import { chipById } from '../esp-chip/index.js';
import { decodeRequest } from '../esp-rom/packet.js';
import { SimulatedRom } from '../esp-rom/sim/rom.js';
import { SlipDecoder, slipEncode } from '../esp-rom/slip.js';

/** The start of a SLIP-framed SYNC request: END, direction 0x00, op 0x08. */
const SYNC_FRAME = '\xc0\x00\x08';

export interface DownloadModeHooks {
  /** Bytes to the host. */
  write(bytes: Uint8Array): void;
  /** Resolves once what was written has gone out. */
  drain(): Promise<void>;
  /** The app stops: the ROM takes the port. */
  enter(): void;
  /** The ROM left: boot the app again. */
  leave(): void;
}

export class DownloadMode {
  active = false;
  /** The ROM's view of the chip: its flash, as `mote flash` left it. */
  readonly rom = new SimulatedRom({ chip: chipById('esp32') });
  private work: Promise<void> = Promise.resolve();
  private tail = '';
  private readonly slip = new SlipDecoder({ frame: (packet) => (this.work = this.work.then(() => this.answer(packet))) });

  constructor(private readonly hooks: DownloadModeHooks) {}

  /**
   * Takes a chunk from the host. Returns what the app should see: all of it while the app runs
   * and no SYNC shows, nothing from the SYNC on.
   */
  receive(chunk: Buffer): Buffer {
    if (this.active) {
      this.slip.push(chunk);
      return Buffer.alloc(0);
    }
    const text = chunk.toString('latin1');
    const seen = this.tail + text;
    const at = seen.indexOf(SYNC_FRAME);
    if (at < 0) {
      this.tail = seen.slice(-2);
      return chunk;
    }
    this.tail = '';
    this.active = true;
    this.hooks.enter();
    this.rom.reset();
    this.slip.push(Buffer.from(seen.slice(at), 'latin1'));
    return Buffer.alloc(0);
  }

  /** One ROM request: its replies, and back to the app when the ROM leaves. */
  private async answer(packet: Buffer): Promise<void> {
    if (!this.active) return;
    const request = decodeRequest(packet);
    if (typeof request === 'string') return;
    const result = await this.rom.handle(request);
    for (const reply of result.replies) this.hooks.write(slipEncode(reply));
    if (result.leave) {
      await this.hooks.drain();
      this.active = false;
      this.hooks.leave();
    }
  }
}
