/**
 * Blink with a button: the LED blinks, and each press of the button switches it between slow
 * (500 ms) and fast (100 ms) blinking.
 *
 * The button's edge callback runs in host context, like an interrupt: it only gives a semaphore
 * (through kernel.isr), and the button task, which outranks the blink task, does the work.
 * Pins are an ESP32-DevKitC's: the LED on GPIO 2, the BOOT button on GPIO 0 (pressed = low).
 */
import { BinarySemaphore, Kernel, MAX_DELAY, RealClock } from 'mote/kernel';
import { Digital, engineTimer, log } from 'mote/hal';

const LED_PIN = 2;
const BUTTON_PIN = 0;
const SLOW_MS = 500;
const FAST_MS = 100;

const kernel = new Kernel({ tickRateHz: 100 });
const pressed = new BinarySemaphore(kernel, 'pressed');
let halfPeriod = kernel.msToTicks(SLOW_MS);

const led = new Digital({ pin: LED_PIN, mode: Digital.Output });
new Digital({
  pin: BUTTON_PIN,
  mode: Digital.InputPullUp,
  edge: Digital.Falling,
  onReadable() {
    kernel.isr(() => pressed.giveFromISR());
  },
});

kernel.createTask('blink', 1, function* () {
  let level: 0 | 1 = 0;
  for (;;) {
    level = level ? 0 : 1;
    led.write(level);
    yield* kernel.delay(halfPeriod);
  }
});

kernel.createTask('button', 2, function* () {
  let fast = false;
  for (;;) {
    yield* pressed.take(MAX_DELAY);
    fast = !fast;
    halfPeriod = kernel.msToTicks(fast ? FAST_MS : SLOW_MS);
    log(`button: ${fast ? 'fast' : 'slow'} at tick ${kernel.tickCount}`);
  }
});

log('blink: started');
new RealClock(kernel, engineTimer).start();
