/**
 * A sensor task feeding a queue: the sensor task reads a TMP102 temperature sensor over I2C once
 * a second (delayUntil, so the period does not drift) and sends each reading to a queue; the
 * report task takes them off and logs each with the average of the last four.
 *
 * Pins are an ESP32-DevKitC's usual I2C pair: SDA on GPIO 21, SCL on GPIO 22.
 */
import { Kernel, MAX_DELAY, Queue, RealClock } from 'mote/kernel';
import { I2C, engineTimer, log } from 'mote/hal';

const TMP102 = 0x48;
const PERIOD_MS = 1000;
const AVERAGE_OF = 4;

interface Reading {
  tick: number;
  celsius: number;
}

const kernel = new Kernel({ tickRateHz: 100 });
const readings = new Queue<Reading>(kernel, 4);
const sensor = new I2C({ data: 21, clock: 22, address: TMP102 });

/** Temperature register: 12 bits, left-aligned, two's complement, 0.0625 °C per bit. */
function readCelsius(): number {
  sensor.write([0], false);
  const bytes = sensor.read(2);
  let raw = (bytes[0]! << 4) | (bytes[1]! >> 4);
  if (raw & 0x800) raw -= 0x1000;
  return raw * 0.0625;
}

kernel.createTask('sensor', 2, function* () {
  const wake = { previous: kernel.tickCount };
  for (;;) {
    const sent = yield* readings.send({ tick: kernel.tickCount, celsius: readCelsius() }, 0);
    if (!sent) log('sensor: queue full, reading dropped');
    yield* kernel.delayUntil(wake, kernel.msToTicks(PERIOD_MS));
  }
});

kernel.createTask('report', 1, function* () {
  const recent: number[] = [];
  for (;;) {
    const reading = yield* readings.receive(MAX_DELAY);
    if (!reading) continue;
    recent.push(reading.celsius);
    if (recent.length > AVERAGE_OF) recent.shift();
    const average = recent.reduce((sum, c) => sum + c, 0) / recent.length;
    log(`tick ${reading.tick}: ${reading.celsius.toFixed(2)} C, average ${average.toFixed(2)} C`);
  }
});

log('sensor-queue: started');
new RealClock(kernel, engineTimer).start();
