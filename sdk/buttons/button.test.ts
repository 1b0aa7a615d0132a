// Buttons on the sim HAL: a virtual board drives the pin at exact times (stimuli), the sim's
// VirtualTime runs the engine timers, so every event's time is exact.
import { describe, expect, it } from 'vitest';
import { createDevice, Digital, engineTimer, type Stimulus } from '../../firmware/hal/sim/index.js';
import { connectionPair } from '../testing/router.js';
import { utf8Decode } from '../bytes.js';
import { Button, type ButtonEvent, type ButtonOptions } from './index.js';

const PIN = 0;
/** Level 0 from `down` to `up` (a button to ground, pulled up). */
const press = (down: number, up: number): Stimulus[] => [
  { at: down, pin: PIN, level: 0 },
  { at: up, pin: PIN, level: 1 },
];

function run(stimuli: Stimulus[], untilMs: number, options: Partial<ButtonOptions> = {}): string[] {
  const device = createDevice({ stimuli: [{ at: 0, pin: PIN, level: 1 }, ...stimuli] });
  const events: ButtonEvent[] = [];
  const button = new Button({ name: 'boot', pin: PIN, Digital, timer: engineTimer, onPress: (e) => events.push(e), ...options });
  device.time.runUntil(untilMs);
  button.close();
  return events.map((e) => `${e.at} ${e.button} ${e.press}`);
}

describe('Button on the sim HAL (defaults: debounce 30, double 300, long 800 ms)', () => {
  it('a short press is single, doubleMs after its release', () => {
    expect(run(press(1000, 1100), 3000)).toEqual(['1430 boot single']);
  });

  it('two short presses within doubleMs are double, at the second release', () => {
    expect(run([...press(1000, 1100), ...press(1250, 1350)], 3000)).toEqual(['1380 boot double']);
  });

  it('two presses further apart are two singles', () => {
    expect(run([...press(1000, 1100), ...press(1500, 1600)], 3000)).toEqual(['1430 boot single', '1930 boot single']);
  });

  it('a press held longMs is long, reported while still held; its release adds nothing', () => {
    expect(run(press(1000, 2500), 4000)).toEqual(['1830 boot long']);
  });

  it('a short press then a long one is long only', () => {
    expect(run([...press(1000, 1100), ...press(1250, 2500)], 4000)).toEqual(['2080 boot long']);
  });

  it('contact bounce is one press: stable debounceMs after the last edge', () => {
    const bouncy: Stimulus[] = [
      { at: 1000, pin: PIN, level: 0 },
      { at: 1004, pin: PIN, level: 1 },
      { at: 1009, pin: PIN, level: 0 },
      { at: 1015, pin: PIN, level: 1 },
      { at: 1020, pin: PIN, level: 0 },
      { at: 1100, pin: PIN, level: 1 },
      { at: 1103, pin: PIN, level: 0 },
      { at: 1106, pin: PIN, level: 1 },
    ];
    expect(run(bouncy, 3000)).toEqual(['1436 boot single']);
  });

  it('a glitch shorter than the debounce that ends at the old level is nothing', () => {
    expect(run([...press(1000, 1010)], 3000)).toEqual([]);
  });

  it('honours its timings: debounce 10, double 0 (single at release), long 2000', () => {
    const options = { debounceMs: 10, doubleMs: 0, longMs: 2000 };
    expect(run([...press(1000, 1100), ...press(1200, 1300), ...press(2000, 4500)], 6000, options)).toEqual(['1110 boot single', '1310 boot single', '4010 boot long']);
  });

  it('an active-high button on a pull-down input', () => {
    const device = createDevice({ stimuli: [{ at: 500, pin: 4, level: 1 }, { at: 600, pin: 4, level: 0 }] });
    const events: string[] = [];
    const button = new Button({ name: 'user', pin: 4, Digital, mode: Digital.InputPullDown, pressedLevel: 1, timer: engineTimer, onPress: (e) => events.push(`${e.at} ${e.press}`) });
    device.time.runUntil(2000);
    button.close();
    expect(events).toEqual(['930 single']);
  });

  it('a button already held when the Button is made reports nothing until a new press', () => {
    const device = createDevice({ stimuli: [{ at: 0, pin: PIN, level: 0 }, { at: 2000, pin: PIN, level: 1 }, ...press(3000, 3100)] });
    device.time.runUntil(0);
    const events: string[] = [];
    const button = new Button({ name: 'boot', pin: PIN, Digital, timer: engineTimer, onPress: (e) => events.push(`${e.at} ${e.press}`) });
    device.time.runUntil(5000);
    button.close();
    expect(events).toEqual(['3430 single']);
  });

  it('close releases the pin and ends pending detection', () => {
    const device = createDevice({ stimuli: press(1000, 1100) });
    const events: ButtonEvent[] = [];
    const button = new Button({ name: 'boot', pin: PIN, Digital, timer: engineTimer, onPress: (e) => events.push(e) });
    device.time.runUntil(1200);
    button.close();
    device.time.runUntil(3000);
    expect(events).toEqual([]);
    expect(() => new Digital({ pin: PIN, mode: Digital.Input }).close()).not.toThrow();
  });

  it('refuses bad options before touching the pin', () => {
    createDevice();
    const base = { name: 'b', pin: PIN, Digital, timer: engineTimer, onPress: () => undefined };
    expect(() => new Button({ ...base, debounceMs: -1 })).toThrow('Button: debounceMs must be a whole number of ms, not -1');
    expect(() => new Button({ ...base, longMs: 0 })).toThrow('Button: longMs must be more than 0');
    expect(() => new Button({ ...base, name: '' })).toThrow('Button: name must be a non-empty string');
    expect(() => new Button({ ...base, publish: { connection: connectionPair().device, topic: 'a/#' } })).toThrow('Button: topic "a/#" contains a wildcard');
    const ok = new Button(base);
    ok.close();
  });
});

describe('Button events published', () => {
  it('each event goes to the topic as {"button","press"}, QoS 1', async () => {
    const device = createDevice({ stimuli: [...press(1000, 1100), ...press(1250, 1350), ...press(2000, 3000)] });
    const { device: connection, service } = connectionPair();
    const seen: string[] = [];
    service.subscribe('things/lamp/buttons', (m) => seen.push(`${m.qos} ${utf8Decode(m.payload)}`));
    await Promise.resolve();
    const button = new Button({ name: 'boot', pin: PIN, Digital, timer: engineTimer, onPress: () => undefined, publish: { connection, topic: 'things/lamp/buttons' } });
    device.time.runUntil(4000);
    button.close();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['1 {"button":"boot","press":"double"}', '1 {"button":"boot","press":"long"}']);
  });

  it('a failed publish and a throwing callback reach onError; detection goes on', () => {
    const device = createDevice({ stimuli: [...press(1000, 1100), ...press(2000, 2100)] });
    const { device: connection } = connectionPair();
    connection.connected = false;
    const errors: string[] = [];
    let calls = 0;
    const button = new Button({
      name: 'boot', pin: PIN, Digital, timer: engineTimer, doubleMs: 0,
      onPress: () => {
        calls++;
        throw new Error('app bug');
      },
      publish: { connection, topic: 'things/lamp/buttons' },
      onError: (e) => errors.push(e.message),
    });
    device.time.runUntil(3000);
    button.close();
    return new Promise<void>((resolve) => setTimeout(() => {
      expect(calls).toBe(2);
      expect(errors).toEqual(['app bug', 'app bug', 'Button boot: publishing to things/lamp/buttons failed: not connected', 'Button boot: publishing to things/lamp/buttons failed: not connected']);
      resolve();
    }, 0));
  });
});
