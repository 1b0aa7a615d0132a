// The runner on boards behind serial ports: pty virtual Espruino boards (socat; the same tty a
// USB serial port is), the build deployed over the console with its settings, frames read back.
import { afterEach, describe, expect, it } from 'vitest';
import { packageFile } from '../paths.js';
import { ModdableBoard } from '../virtual-board/moddable-board.js';
import { SerialBoard } from '../virtual-board/serial-board.js';
import { runHil } from './run.js';
import { SerialBoards } from './serial.js';
import type { SuiteResult } from './results.js';
import { findSuites } from './suites.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function boards(count: number): Promise<{ virtual: SerialBoard[]; serial: SerialBoards }> {
  const virtual: SerialBoard[] = [];
  for (let i = 0; i < count; i++) {
    const board = await SerialBoard.start();
    stops.push(() => board.stop());
    virtual.push(board);
  }
  const serial = await SerialBoards.open(virtual.map((b) => b.path));
  stops.push(() => serial.close());
  return { virtual, serial };
}

/** Every test of hil-tests/reset passed, in its two boots. */
function expectResetSuitePassed(result: SuiteResult): void {
  expect(result.tests.map((t) => [t.name, t.status])).toEqual([
    ['boot 1 › starts with nothing stored', 'passed'],
    ['boot 1 › writes values to flash', 'passed'],
    ['boot 2 › finds the values written before the reset', 'passed'],
    ['boot 2 › a value deleted before the reset stays deleted', 'passed'],
  ]);
}

/** The fixture suite "failing" ran once: a pass, the device's own failure message with its log, a skip. */
function expectFailingFixture(result: SuiteResult): void {
  expect(result).toMatchObject({ status: 'failed', attempts: 1 });
  expect(result.tests.map((t) => [t.status, t.message])).toEqual([
    ['passed', undefined],
    ['failed', 'expected {product: 42} to equal {product: 43}'],
    ['skipped', 'not written yet'],
  ]);
  expect(result.tests[1]!.log).toEqual(['about to multiply']);
}

describe('runHil on serial boards', () => {
  it("reports a failing test with the device's own message, read from the port", async () => {
    const { virtual, serial } = await boards(1);
    const [result] = await runHil({ suites: findSuites(packageFile('scripts/lib/hil/fixtures'), ['failing']), targets: ['espruino'], startBoard: serial.start });
    expectFailingFixture(result!);
    // What else the console carried (Espruino's banner after load(), prompts) is device log, not a fault.
    expect(result!.logs.device).toContain('Espruino 2v29 (mote virtual board)');
    // The app stays saved on the board; stopping the suite left the interpreter idle.
    expect(virtual[0]!.device.storage()['.bootcde']).toContain('about to multiply');
  });

  it('garbage on the wire is a link fault: the suite is deployed and run again, and the second run counts', async () => {
    let injected = false;
    const board: SerialBoard = await SerialBoard.start({
      onLine: (line) => {
        // Once, after the first frame: a line that looks like a frame but is not one.
        if (injected || !line.startsWith('~mote:')) return;
        injected = true;
        setImmediate(() => board.device.evaluate('console.log("~mote:bm90IGEgZnJhbWU=*00000000")'));
      },
    });
    stops.push(() => board.stop());
    const serial = await SerialBoards.open([board.path]);
    stops.push(() => serial.close());
    const [result] = await runHil({ suites: findSuites(packageFile('scripts/lib/hil/fixtures'), ['failing']), targets: ['espruino'], startBoard: serial.start });
    expect(injected).toBe(true);
    expect(result).toMatchObject({ status: 'failed', attempts: 2 });
    expect(result!.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'skipped']);
  });

  it('boots a suite of two boots again over the console, with the flash the first left', async () => {
    const { virtual, serial } = await boards(1);
    // An earlier run's data must not leak into the first boot: the deploy starts from a clean flash.
    virtual[0]!.device.evaluate('require("Storage").write("hilreset.boots", "\\x05")');
    const [result] = await runHil({ suites: findSuites(packageFile('hil-tests'), ['reset']), targets: ['espruino'], startBoard: serial.start });
    expect(result!.error).toBeUndefined();
    expectResetSuitePassed(result!);
  });

  it('refuses a device without a port as a suite error naming why', async () => {
    const { serial } = await boards(1);
    const [pubsub] = await runHil({ suites: findSuites(packageFile('hil-tests'), ['pubsub']), targets: ['espruino'], startBoard: serial.start });
    expect(pubsub).toMatchObject({ status: 'error', error: "the suite's device 2 has no board: 1 port given" });
  });
});

describe('runHil on Moddable boards behind serial ports (xsbug)', () => {
  async function moddableBoard(): Promise<{ board: ModdableBoard; serial: SerialBoards }> {
    const board = await ModdableBoard.start();
    stops.push(() => board.stop());
    const serial = await SerialBoards.open([board.path]);
    stops.push(() => serial.close());
    return { board, serial };
  }

  it("installs the suite as a mod and reports a failing test with the device's own message, read from xsbug logs", async () => {
    const { board, serial } = await moddableBoard();
    const [result] = await runHil({ suites: findSuites(packageFile('scripts/lib/hil/fixtures'), ['failing']), targets: ['moddable'], startBoard: serial.start });
    expectFailingFixture(result!);
    // The suite's build is the mod the board runs.
    expect(board.device?.output).toContain('about to multiply');
  });

  it('boots a two-boot suite again with xsbug restart, the preferences the first boot wrote kept', async () => {
    const { serial } = await moddableBoard();
    const [result] = await runHil({ suites: findSuites(packageFile('hil-tests'), ['reset']), targets: ['moddable'], startBoard: serial.start });
    expect(result!.error).toBeUndefined();
    expectResetSuitePassed(result!);
  });
});
