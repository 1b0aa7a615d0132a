/** Espruino's REPL on the wire, over a live EspruinoDevice: echo, answers, continuation, DLE, echo(0), Ctrl-C, reset(). */
import { afterEach, describe, expect, it } from 'vitest';
import { BANNER, EspruinoConsole, complete } from './console.js';
import { EspruinoDevice } from './device.js';

const devices: EspruinoDevice[] = [];
afterEach(() => devices.splice(0).forEach((d) => d.stop()));

function repl() {
  let wire = '';
  const console = new EspruinoConsole((bytes) => (wire += bytes));
  const device = new EspruinoDevice({ onLine: (line) => console.line(line), onRestart: () => console.restarted() });
  devices.push(device);
  console.attach(device);
  const take = () => {
    const out = wire;
    wire = '';
    return out;
  };
  take();
  return { console, device, take };
}

describe('EspruinoConsole', () => {
  it('echoes, answers =value, and prompts', () => {
    const { console, take } = repl();
    console.receive('1+2\r');
    expect(take()).toBe('1+2\r\n=3\r\n>');
    console.receive('"a"+"b"\r\n');
    expect(take()).toBe('"a"+"b"\r\n="ab"\r\n>');
    console.receive('console.log("hi")\r');
    expect(take()).toBe('console.log("hi")\r\nhi\r\n=undefined\r\n>');
  });

  it('waits for closed brackets and strings, prompting ":"', () => {
    const { console, take } = repl();
    console.receive('function f(x) {\r');
    expect(take()).toBe('function f(x) {\r\n:');
    console.receive('return x * 2 }\r');
    expect(take()).toBe('return x * 2 }\r\n=undefined\r\n>');
    console.receive('f(21)\r');
    expect(take()).toBe('f(21)\r\n=42\r\n>');
  });

  it('runs a DLE line silently, and echo(0) silences every line until echo(1)', () => {
    const { console, take } = repl();
    console.receive('\x10var a = 5\n');
    expect(take()).toBe('>');
    console.receive('echo(0)\r');
    take();
    console.receive('a * 2\rconsole.log(a)\r');
    expect(take()).toBe('5\r\n');
    console.receive('echo(1)\r');
    expect(take()).toBe('>');
  });

  it('drops typed input on Ctrl-C, and refuses what Espruino cannot parse', () => {
    const { console, take } = repl();
    console.receive('garbage(((');
    console.receive('\x03');
    expect(take()).toBe('garbage(((\r\n>');
    console.receive('2 ** 3\r');
    expect(take()).toMatch(/^2 \*\* 3\r\nUncaught SyntaxError: .*\*\*.*\r\n>$/);
  });

  it('reset() clears the interpreter and prints the banner; Storage stays', () => {
    const { console, take } = repl();
    console.receive('var kept = 1; require("Storage").write("x", "y")\r');
    take();
    console.receive('reset()\r');
    expect(take()).toBe(`reset()\r\n\r\n${BANNER}\r\n>`);
    console.receive('typeof kept + " " + require("Storage").read("x")\r');
    expect(take()).toContain('="undefined y"');
  });

  it('complete() sees through strings and comments', () => {
    expect(complete('f("(")')).toBe(true);
    expect(complete('f(`)`')).toBe(false);
    expect(complete('x = 1 // (')).toBe(true);
    expect(complete('/* { */ 1')).toBe(true);
    expect(complete('/* {')).toBe(false);
  });
});

describe('EspruinoDevice reset()', () => {
  it("keeps the board's timed events: a button pressed after a reset is still seen", async () => {
    const device = new EspruinoDevice({ board: { stimuli: [{ at: 0, pin: 0, level: 1 }, { at: 150, pin: 0, level: 0 }] } });
    devices.push(device);
    device.load('console.log("first")');
    device.reset();
    device.load('pinMode(0, "input_pullup"); setWatch(function (e) { console.log("pressed " + e.state); }, 0, { repeat: true, edge: "falling" });');
    const started = Date.now();
    while (!device.output.includes('pressed false') && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
    expect(device.output).toEqual(['first', 'pressed false']);
  });
});
