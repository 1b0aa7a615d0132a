/**
 * The hardware layer's contract, on the sim port: option checks before any pin is touched,
 * pin ownership, levels, edges, I2C, and the TMP102 model the examples read.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Digital as DigitalPin } from './contract/digital.js';
import { Digital, I2C, createDevice, engineTimer, log, type SimDevice } from './sim/index.js';

let device: SimDevice;
beforeEach(() => {
  device = createDevice({ i2c: [{ kind: 'tmp102', address: 0x48, celsius: [{ at: 0, value: 25 }, { at: 100, value: -0.5 }, { at: 200, value: -55 }] }] });
});

describe('Digital', () => {
  it('checks its options before it takes the pin', () => {
    expect(() => new Digital({ pin: 64, mode: Digital.Output })).toThrow(RangeError);
    expect(() => new Digital({ pin: 2.5, mode: Digital.Output })).toThrow(/pin 2.5 is not a GPIO number/);
    expect(() => new Digital({ pin: '2' as unknown as number, mode: Digital.Output })).toThrow(TypeError);
    expect(() => new Digital({ pin: 2, mode: 7 as 8 })).toThrow(/mode 7 is not one of/);
    expect(() => new Digital({ pin: 2, mode: Digital.Output, edge: Digital.Rising, onReadable() {} })).toThrow(/edge is for input modes only/);
    expect(() => new Digital({ pin: 2, mode: Digital.Input, edge: Digital.Rising })).toThrow(/edge needs an onReadable callback/);
    expect(() => new Digital({ pin: 2, mode: Digital.Input, onReadable() {} })).toThrow(/onReadable needs an edge/);
    // None of those took pin 2.
    expect(new Digital({ pin: 2, mode: Digital.Output }).read()).toBe(0);
  });

  it('holds its pin until closed, and refuses use after close', () => {
    const led = new Digital({ pin: 2, mode: Digital.Output });
    expect(() => new Digital({ pin: 2, mode: Digital.Input })).toThrow('Digital: pin 2 in use');
    led.close();
    expect(() => led.write(1)).toThrow('Digital: closed');
    expect(new Digital({ pin: 2, mode: Digital.Input }).read()).toBe(0);
  });

  it('reads what it drives, records changes with the time, and an input cannot be written', () => {
    const led = new Digital({ pin: 2, mode: Digital.Output });
    led.write(1);
    device.time.runUntil(40);
    led.write(1);
    led.write(0);
    expect(led.read()).toBe(0);
    expect(device.board.changes).toEqual([
      { at: 0, pin: 2, level: 1 },
      { at: 40, pin: 2, level: 0 },
    ]);
    expect(() => new Digital({ pin: 4, mode: Digital.InputPullUp }).write(1)).toThrow('Digital: pin 4 is an input');
  });

  it('inputs read their pull until something drives them; edges call onReadable with this = the Digital', () => {
    const seen: [number, boolean][] = [];
    const button: DigitalPin = new Digital({
      pin: 0,
      mode: Digital.InputPullUp,
      edge: Digital.Falling,
      onReadable(this: DigitalPin) {
        seen.push([this.read(), this === button]);
      },
    });
    expect(button.read()).toBe(1);
    device.board.drive(0, 1); // no change of level: no edge
    device.board.drive(0, 0);
    device.board.drive(0, 1); // rising: not watched
    device.board.drive(0, 0);
    expect(seen).toEqual([
      [0, true],
      [0, true],
    ]);
    button.close();
    device.board.drive(0, 1);
    device.board.drive(0, 0);
    expect(seen).toHaveLength(2);
    expect(new Digital({ pin: 5, mode: Digital.InputPullDown }).read()).toBe(0);
  });

  it('open drain: pulls low, or lets the line float to what drives it', () => {
    const line = new Digital({ pin: 13, mode: Digital.OutputOpenDrain });
    line.write(1);
    expect(line.read()).toBe(0); // no pull-up, nothing driving
    device.board.drive(13, 1);
    expect(line.read()).toBe(1);
    line.write(0);
    expect(line.read()).toBe(0);
  });
});

describe('I2C and the TMP102 model', () => {
  const celsius = (bytes: Uint8Array) => {
    let raw = (bytes[0]! << 4) | (bytes[1]! >> 4);
    if (raw & 0x800) raw -= 0x1000;
    return raw * 0.0625;
  };

  it('checks its options', () => {
    expect(() => new I2C({ data: 21, clock: 21, address: 0x48 })).toThrow('I2C: data and clock are both pin 21');
    expect(() => new I2C({ data: 21, clock: 22, address: 0x78 })).toThrow(RangeError);
    expect(() => new I2C({ data: 21, clock: 22, address: 0x48, hz: 5e6 })).toThrow(/hz 5000000/);
    const bus = new I2C({ data: 21, clock: 22, address: 0x48 });
    expect(() => bus.write([0, 256])).toThrow('I2C: byte 1 (256) is not 0-255');
    expect(() => bus.read(0)).toThrow(/read count 0/);
  });

  it('reads the temperature register over time, negative values included', () => {
    const bus = new I2C({ data: 21, clock: 22, address: 0x48 });
    bus.write([0], false);
    expect(celsius(bus.read(2))).toBe(25);
    device.time.runUntil(100);
    expect(celsius(bus.read(2))).toBe(-0.5);
    device.time.runUntil(200);
    expect(Array.from(bus.read(2))).toEqual([0xc9, 0x00]); // -55 °C, the datasheet's example
    bus.write([1]);
    expect(Array.from(bus.read(2))).toEqual([0x60, 0xa0]); // the configuration register
  });

  it('a missing target does not acknowledge', () => {
    expect(() => new I2C({ data: 21, clock: 22, address: 0x40 }).read(1)).toThrow('I2C: no acknowledge from 0x40');
  });
});

describe('engine timer and console', () => {
  it('runs timers in simulated time and keeps the console lines', () => {
    const fired: number[] = [];
    engineTimer.setTimeout(() => fired.push(engineTimer.now()), 30);
    const cancelled = engineTimer.setTimeout(() => fired.push(-1), 10);
    engineTimer.clearTimeout(cancelled);
    log('hello');
    device.time.runUntil(100);
    expect(fired).toEqual([30]);
    expect(device.output).toEqual(['hello']);
  });
});

describe('Storage', () => {
  it('keeps values per domain, whole, across a simulated reset', async () => {
    const { Storage } = await import('./sim/index.js');
    const settings = new Storage({ domain: 'app' });
    settings.set('boots', new Uint8Array([1]));
    new Storage({ domain: 'mqtt' }).set('q1', new Uint8Array([9, 9]));
    const value = settings.get('boots')!;
    value[0] = 42; // a copy: the stored value does not change
    expect(Array.from(settings.get('boots')!)).toEqual([1]);
    expect(settings.keys()).toEqual(['boots']);

    createDevice({}, device.flash); // reset: same flash
    const after = new Storage({ domain: 'app' });
    expect(Array.from(after.get('boots')!)).toEqual([1]);
    after.delete('boots');
    expect(after.get('boots')).toBeUndefined();
    expect(new Storage({ domain: 'mqtt' }).keys()).toEqual(['q1']);
  });

  it('checks names and sizes', async () => {
    const { Storage } = await import('./sim/index.js');
    expect(() => new Storage({ domain: 'toolongdomain' })).toThrow(/domain "toolongdomain" must be 1-8/);
    const s = new Storage({ domain: 'app' });
    expect(() => s.set('a.b', new Uint8Array(1))).toThrow(/key "a.b"/);
    expect(() => s.set('big', new Uint8Array(4097))).toThrow('Storage: value of 4097 bytes is over 4096');
    expect(() => s.set('text', 'abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
