/**
 * SLIP framing as the ESP ROM uses it: each packet starts and ends with 0xC0; inside, 0xC0 is sent as DB DC
 * and 0xDB as DB DD. Bytes outside frames (boot messages) are handed back as noise.
 */
const END = 0xc0;
const ESC = 0xdb;
const ESC_END = 0xdc;
const ESC_ESC = 0xdd;

export function slipEncode(packet: Uint8Array): Buffer {
  const out: number[] = [END];
  for (const byte of packet) {
    if (byte === END) out.push(ESC, ESC_END);
    else if (byte === ESC) out.push(ESC, ESC_ESC);
    else out.push(byte);
  }
  out.push(END);
  return Buffer.from(out);
}

export interface SlipEvents {
  frame(packet: Buffer): void;
  /** Bytes seen outside any frame (boot text), and frames spoilt by a bad escape. */
  noise?(bytes: Buffer): void;
}

/** Incremental SLIP decoder: push bytes as they arrive, get whole frames back through `events`. */
export class SlipDecoder {
  private inFrame = false;
  private escaped = false;
  private packet: number[] = [];
  private noise: number[] = [];

  constructor(private readonly events: SlipEvents) {}

  push(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (!this.inFrame) {
        if (byte === END) {
          this.flushNoise();
          this.inFrame = true;
          this.packet = [];
        } else {
          this.noise.push(byte);
        }
        continue;
      }
      if (this.escaped) {
        this.escaped = false;
        if (byte === ESC_END) this.packet.push(END);
        else if (byte === ESC_ESC) this.packet.push(ESC);
        else {
          // An invalid escape spoils the frame: drop it and resynchronise on the next END.
          this.noise.push(ESC, byte);
          this.inFrame = false;
        }
      } else if (byte === ESC) {
        this.escaped = true;
      } else if (byte === END) {
        // Two ENDs in a row (an empty frame) are the end of one frame and the start of the next.
        if (this.packet.length > 0) {
          this.events.frame(Buffer.from(this.packet));
          this.inFrame = false;
        }
        this.packet = [];
      } else {
        this.packet.push(byte);
      }
    }
    this.flushNoise();
  }

  private flushNoise(): void {
    if (this.noise.length === 0) return;
    const bytes = Buffer.from(this.noise);
    this.noise = [];
    this.events.noise?.(bytes);
  }
}
