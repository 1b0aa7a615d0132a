/**
 * HIL suite "hal": the hardware layer on the device. The board (suite.json) has a button on GPIO 0
 * pressed every 400 ms (low for 60 ms), a TMP102 at 0x48 reading 21.5 °C, and flash storage.
 */
import { Digital, I2C, Storage, engineTimer, log } from 'mote/hal';
import { utf8Decode, utf8Encode } from 'mote/sdk';
import { describe, expect, run, test, testDone } from 'mote/test';

describe('GPIO', () => {
  test('an LED output reads back the level written', () => {
    const led = new Digital({ pin: 2, mode: Digital.Output });
    try {
      led.write(1);
      expect(led.read()).toBe(1);
      led.write(0);
      expect(led.read()).toBe(0);
    } finally {
      led.close();
    }
  });

  test('a pin in use is refused', () => {
    const led = new Digital({ pin: 2, mode: Digital.Output });
    try {
      expect(() => new Digital({ pin: 2, mode: Digital.Output })).toThrow('Digital: pin 2 in use');
    } finally {
      led.close();
    }
  });

  testDone('a button press is seen as a falling edge, then the release as a rising one', (done) => {
    const edges: number[] = [];
    const button = new Digital({
      pin: 0,
      mode: Digital.InputPullUp,
      edge: 3, // Rising | Falling
      onReadable() {
        edges.push(this.read());
        // The first whole press: a falling edge (pressed, 0) then a rising one (released, 1).
        const pressed = edges.indexOf(0);
        if (pressed >= 0 && edges.indexOf(1, pressed) > pressed) {
          button.close();
          done();
        }
      },
    });
  }, { timeoutMs: 2000 });
});

describe('I2C', () => {
  test('the TMP102 reads 21.5 °C', () => {
    const sensor = new I2C({ data: 21, clock: 22, address: 0x48 });
    try {
      sensor.write([0], false);
      const bytes = sensor.read(2);
      let raw = (bytes[0]! << 4) | (bytes[1]! >> 4);
      if (raw & 0x800) raw -= 0x1000;
      expect(raw * 0.0625).toBe(21.5);
    } finally {
      sensor.close();
    }
  });

  test('an address nobody answers is refused', () => {
    const absent = new I2C({ data: 21, clock: 22, address: 0x49 });
    try {
      expect(() => absent.read(2)).toThrow('I2C: no acknowledge from 0x49');
    } finally {
      absent.close();
    }
  });
});

describe('storage', () => {
  test('a value written is read back, also through a second instance of the domain', () => {
    const store = new Storage({ domain: 'hiltest' });
    store.set('greeting', utf8Encode('hé, device'));
    expect(utf8Decode(store.get('greeting')!)).toBe('hé, device');
    expect(utf8Decode(new Storage({ domain: 'hiltest' }).get('greeting')!)).toBe('hé, device');
    expect(store.keys()).toContain('greeting');
  });

  test('a value replaced whole, then deleted', () => {
    const store = new Storage({ domain: 'hiltest' });
    store.set('n', new Uint8Array([1, 2, 3]));
    store.set('n', new Uint8Array([9]));
    expect(store.get('n')).toEqual(new Uint8Array([9]));
    store.delete('n');
    expect(store.get('n')).toBeUndefined();
  });

  test('domains keep their keys apart', () => {
    new Storage({ domain: 'hila' }).set('k', new Uint8Array([1]));
    expect(new Storage({ domain: 'hilb' }).get('k')).toBeUndefined();
  });
});

run({ print: log, timer: engineTimer });
