/**
 * The host half of the Espruino-dialect host's hardware functions (the guest half is in
 * prelude.ts): Espruino's pin modes, writes, reads, watches, I2C1 transfers, UARTs (Serial2,
 * Serial3) and the Wifi module's station, applied to a VirtualBoard. The bridge passes only primitives; errors come back as message strings for the
 * guest to throw as its own Error. Host-side code.
 */
import type { PinDirection, Pull, VirtualBoard } from '../../hal/sim/board.js';
import type { EventLoop } from './loop.js';

/** Espruino's pinMode names this host knows, as direction and pull. */
const MODES: Record<string, [PinDirection, Pull]> = {
  input: ['input', 'none'],
  input_pullup: ['input', 'up'],
  input_pulldown: ['input', 'down'],
  output: ['output', 'none'],
  opendrain: ['open-drain', 'none'],
};

const hex = (address: number) => `0x${address.toString(16)}`;

/**
 * ESP-IDF's disconnect reasons as Espruino's Wifi module reports them ('disconnected' event:
 * `reason` the number, `msg` its name; libs/network/esp32/jswrap_esp32_network.c).
 */
const DISCONNECT_REASONS = {
  'wrong-password': ['15', '4WAY_HANDSHAKE_TIMEOUT'],
  unreachable: ['201', 'NO_AP_FOUND'],
  lost: ['200', 'BEACON_TIMEOUT'],
  left: ['8', 'ASSOC_LEAVE'],
} as const;

/** Bytes as a binary string (one character per byte), as Espruino's UART 'data' events give them. */
const binary = (bytes: readonly number[]) => String.fromCharCode(...bytes);

export function boardBridge(board: VirtualBoard, loop: EventLoop) {
  const outputs = new Set<number>();
  const watches = new Map<number, number>();
  let joined = false;
  return {
    board: true,
    pinMode(pin: number, mode: string): string {
      const found = MODES[mode];
      if (!found) return `Unknown pin mode "${mode}"`;
      board.configure(pin, found[0], found[1]);
      if (found[0] === 'input') outputs.delete(pin);
      else outputs.add(pin);
      return '';
    },
    digitalWrite(pin: number, level: 0 | 1): void {
      // Espruino makes a pin an output when it is written without a pinMode first.
      if (!outputs.has(pin)) {
        board.configure(pin, 'output', 'none');
        outputs.add(pin);
      }
      board.write(pin, level);
    },
    digitalRead: (pin: number): 0 | 1 => board.read(pin),
    watch(pin: number, edges: number, repeat: boolean, callback: Function): number {
      const id: number = board.watch(pin, edges, (level) => {
        if (!repeat) {
          board.unwatch(id);
          watches.delete(id);
        }
        loop.queue(callback, [level, loop.now / 1000]);
      });
      watches.set(id, id);
      return id;
    },
    unwatch(id: number, all: boolean): void {
      for (const w of all ? [...watches.keys()] : [id]) {
        board.unwatch(w);
        watches.delete(w);
      }
    },
    i2cWrite(address: number, data: string): string {
      const target = board.target(address);
      if (!target) return `I2C: no acknowledge from ${hex(address)}`;
      target.write(Uint8Array.from(data, (c) => c.charCodeAt(0)));
      return '';
    },
    i2cRead(address: number, count: number): string {
      const target = board.target(address);
      if (!target) return `EI2C: no acknowledge from ${hex(address)}`;
      return `D${String.fromCharCode(...target.read(count))}`;
    },
    /** Opens (or reopens) a UART; `deliver(data)` is queued as an event for each chunk that arrives. */
    uartOpen(port: number, deliver: Function): void {
      board.uart.close(port);
      board.uart.open(port, (bytes) => loop.queue(deliver, [binary(bytes)]));
    },
    uartClose: (port: number) => board.uart.close(port),
    uartWrite: (port: number, data: string) => board.uart.write(port, Array.from(data, (c) => c.charCodeAt(0) & 0xff)),
    /**
     * Joins an access point; `report('connected', ip)` or `report('disconnected', reason, msg)`
     * is queued as an event.
     */
    wifiConnect(ssid: string, password: string | undefined, report: Function): void {
      joined = false;
      board.radio.connect(ssid, password, (event) => {
        joined = event.kind === 'joined';
        if (event.kind === 'joined') loop.queue(report, ['connected', event.ip]);
        else loop.queue(report, ['disconnected', ...DISCONNECT_REASONS[event.kind === 'lost' ? 'lost' : event.reason]]);
      });
    },
    /** Leaves; a joined station reports the leave as ESP-IDF does ('disconnected', ASSOC_LEAVE). */
    wifiDisconnect(report: Function): void {
      board.radio.disconnect();
      if (joined) loop.queue(report, ['disconnected', ...DISCONNECT_REASONS.left]);
      joined = false;
    },
  };
}
