/**
 * Serial, the Wi-Fi station, the wall clock and the reset reason, on the sim port: option checks,
 * the UART's far end, access points with passwords and outages, a clock set apart from the
 * monotonic timer, and a restart. (Each port's exports are checked against HalPort below.)
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { HalPort } from './contract/index.js';
import type { Serial as SerialPort } from './contract/serial.js';
import type { WiFi as Station, WiFiStatus } from './contract/wifi.js';
import * as sim from './sim/index.js';
import { Serial, WiFi, clock, createDevice, currentDevice, engineTimer, resetReason, restart, type BoardSpec, type SimDevice } from './sim/index.js';

// Every port exports the whole contract (types only: the engine ports cannot load on Node).
const ports: HalPort[] = [
  {} as typeof import('./espruino/index.js'),
  {} as typeof import('./moddable/index.js'),
  {} as typeof import('./sim/node/index.js'),
];
void ports;
void sim;

const board: BoardSpec = {
  uart: [
    { at: 100, port: 1, data: 'hello\r\n' },
    { at: 100, port: 2, data: [1, 2] },
    { at: 250, port: 1, data: [0, 255] },
  ],
  wifi: [
    { ssid: 'home', password: 'correct horse', ip: '10.0.0.7', joinMs: 200, outages: [{ at: 3000, until: 4000 }] },
    { ssid: 'cafe' },
  ],
};

let device: SimDevice;
beforeEach(() => {
  device = createDevice(board);
});

describe('Serial', () => {
  it('checks its options before it takes the port', () => {
    const ok = { baud: 9600, receive: 16, transmit: 17 };
    expect(() => new Serial({ ...ok, port: 0 })).toThrow('Serial: port 0 must be 1 or 2 (UART 0 is the console)');
    expect(() => new Serial({ ...ok, baud: 9600.5 })).toThrow(RangeError);
    expect(() => new Serial({ ...ok, baud: 100 })).toThrow(/baud 100 must be 300-5000000/);
    expect(() => new Serial({ ...ok, transmit: 16 })).toThrow('Serial: receive and transmit are both pin 16');
    expect(() => new Serial({ ...ok, receive: 64 })).toThrow(/Serial receive: pin 64/);
    expect(() => new Serial({ ...ok, onReadable: 1 as unknown as () => void })).toThrow(TypeError);
    const uart = new Serial(ok); // none of those took port 1
    expect(() => new Serial(ok)).toThrow('Serial: port 1 in use');
    uart.close();
    expect(() => uart.read()).toThrow('Serial: closed');
    new Serial(ok).close();
  });

  it('reads what arrives when onReadable says so, per port, and writes to the far end with the time', () => {
    const seen: [number, number[], boolean][] = [];
    const uart: SerialPort = new Serial({
      baud: 115200,
      receive: 16,
      transmit: 17,
      onReadable(this: SerialPort, count) {
        seen.push([count, Array.from(this.read()), this === uart]);
      },
    });
    const writable: number[] = [];
    const other = new Serial({ port: 2, baud: 9600, receive: 25, transmit: 26, onWritable: (count) => writable.push(count) });
    device.time.runUntil(100);
    expect(seen).toEqual([[7, [104, 101, 108, 108, 111, 13, 10], true]]);
    expect(writable).toEqual([1024]);
    expect(Array.from(other.read())).toEqual([1, 2]); // nobody read port 2 on onReadable: the bytes wait
    expect(other.read()).toHaveLength(0);
    uart.write([0x41, 0x54, 0x0d]);
    device.time.runUntil(200);
    other.write(new Uint8Array([9]));
    expect(device.board.uart.sent).toEqual([
      { at: 100, port: 1, data: [0x41, 0x54, 0x0d] },
      { at: 200, port: 2, data: [9] },
    ]);
    expect(() => uart.write([300])).toThrow('Serial: byte 0 (300) is not 0-255');
  });

  it('drops bytes that arrive on a closed port; a test can drive the far end itself', () => {
    const uart = new Serial({ baud: 9600, receive: 16, transmit: 17 });
    uart.close();
    device.time.runUntil(300); // both chunks for port 1 arrive while it is closed
    const again = new Serial({ baud: 9600, receive: 16, transmit: 17 });
    expect(again.read()).toHaveLength(0);
    device.board.uart.inject(1, 'ok');
    expect(Array.from(again.read())).toEqual([111, 107]);
  });
});

describe('WiFi station', () => {
  function station(options: { ssid: string; password?: string }) {
    const changes: [number, WiFiStatus, string | undefined][] = [];
    const wifi: Station = new WiFi({
      ...options,
      onChange(this: Station, status) {
        changes.push([device.time.now, status, this.reason ?? this.ip]);
      },
    });
    return { wifi, changes };
  }

  it('checks its options, and there is one station', () => {
    expect(() => new WiFi({ ssid: '' })).toThrow(/ssid "" must be 1-32/);
    expect(() => new WiFi({ ssid: 'home', password: 'short' })).toThrow('WiFi: a password must be 8-63 characters, got 5');
    expect(() => new WiFi({ ssid: 7 as unknown as string })).toThrow(TypeError);
    const wifi = new WiFi({ ssid: 'cafe' });
    expect(() => new WiFi({ ssid: 'cafe' })).toThrow('WiFi: in use');
    wifi.close();
    new WiFi({ ssid: 'cafe' }).close();
  });

  it('joins after the join time with the access point address, and loses the link in an outage', () => {
    const { wifi, changes } = station({ ssid: 'home', password: 'correct horse' });
    expect(wifi.status).toBe('connecting');
    device.time.runUntil(5000);
    expect(changes).toEqual([
      [200, 'connected', '10.0.0.7'],
      [3000, 'disconnected', 'lost'],
    ]);
    expect(wifi.ip).toBeUndefined();
  });

  it('a wrong password, a missing network and an access point that is down fail with their reasons', () => {
    const wrong = station({ ssid: 'home', password: 'wrong horse' });
    device.time.runUntil(1000);
    expect(wrong.changes).toEqual([[200, 'disconnected', 'wrong-password']]);
    wrong.wifi.close();

    const missing = station({ ssid: 'office', password: 'whatever1' });
    device.time.runUntil(2000);
    expect(missing.changes).toEqual([[1300, 'disconnected', 'unreachable']]); // the default join time
    missing.wifi.close();

    device.time.runUntil(3100);
    const during = station({ ssid: 'home', password: 'correct horse' });
    device.time.runUntil(3500);
    expect(during.changes).toEqual([[3300, 'disconnected', 'unreachable']]);
    during.wifi.close();
    device.time.runUntil(4000); // the access point is back
    const after = station({ ssid: 'home', password: 'correct horse' });
    device.time.runUntil(4500);
    expect(after.changes).toEqual([[4200, 'connected', '10.0.0.7']]);
  });

  it('close() leaves at once and reports nothing more', () => {
    const { wifi, changes } = station({ ssid: 'cafe' });
    device.time.runUntil(100);
    wifi.close();
    device.time.runUntil(1000);
    expect(changes).toEqual([]);
    expect([wifi.status, wifi.reason]).toEqual(['disconnected', undefined]);
  });
});

describe('clock, reset reason, restart', () => {
  it('the wall clock starts at 0, is set apart from the monotonic timer, and runs on', () => {
    device.time.runUntil(500);
    expect(clock.now()).toBe(500);
    clock.set(1_700_000_000_000);
    expect(clock.now()).toBe(1_700_000_000_000);
    expect(engineTimer.now()).toBe(500);
    device.time.runUntil(1500);
    expect(clock.now()).toBe(1_700_000_001_000);
    expect(() => clock.set(-1)).toThrow(RangeError);
    expect(() => clock.set('now' as unknown as number)).toThrow(TypeError);
  });

  it('reports the reason the device was made with; restart stops the app', () => {
    expect(resetReason()).toBe('power-on');
    const ran: number[] = [];
    engineTimer.setTimeout(() => ran.push(1), 100);
    restart();
    device.time.runUntil(1000);
    expect(ran).toEqual([]);
    expect(device.restarted).toBe(true);
    const next = createDevice(board, device.flash, { resetReason: 'software' });
    expect([resetReason(), next.restarted]).toEqual(['software', false]);
    expect(() => createDevice(board, {}, { resetReason: 'reset-button' as 'software' })).toThrow(/resetReason "reset-button" is not one of power-on, software/);
  });
});

describe('WiFi station rejoining from its own callback', () => {
  it('a station made in onChange after a refused password joins', () => {
    createDevice(board);
    const seen: string[] = [];
    new WiFi({
      ssid: 'home',
      password: 'wrong horse',
      onChange() {
        seen.push(`${this.status} ${this.reason}`);
        this.close();
        new WiFi({ ssid: 'home', password: 'correct horse', onChange: (status) => seen.push(status) });
      },
    });
    currentDevice().time.runUntil(1000);
    expect(seen).toEqual(['disconnected wrong-password', 'connected']);
  });
});
