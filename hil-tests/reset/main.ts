/**
 * HIL suite "reset": the device boots twice (suite.json "boots": 2; the runner restarts it with the
 * flash it left). The first boot writes to storage; the second checks the values survived. Only on
 * Espruino for now: the live XS device does not hand its flash back to the runner yet.
 */
import { Storage, engineTimer, log } from 'mote/hal';
import { utf8Decode, utf8Encode } from 'mote/sdk';
import { describe, expect, run, test } from 'mote/test';

const store = new Storage({ domain: 'hilreset' });
const previous = store.get('boots');
const boot = previous ? previous[0]! + 1 : 1;
store.set('boots', new Uint8Array([boot]));

describe(`boot ${boot}`, () => {
  if (boot === 1) {
    test('starts with nothing stored', () => {
      expect(previous).toBeUndefined();
      expect(store.get('greeting')).toBeUndefined();
    });
    test('writes values to flash', () => {
      store.set('greeting', utf8Encode('survives a reset'));
      store.set('bytes', new Uint8Array([0, 255, 7]));
      store.set('gone', new Uint8Array([1]));
      store.delete('gone');
    });
  } else {
    test('finds the values written before the reset', () => {
      expect(utf8Decode(store.get('greeting')!)).toBe('survives a reset');
      expect(store.get('bytes')).toEqual(new Uint8Array([0, 255, 7]));
    });
    test('a value deleted before the reset stays deleted', () => {
      expect(store.get('gone')).toBeUndefined();
    });
  }
});

run({ print: log, timer: engineTimer });
