/**
 * The app `mote dev` runs: a lamp with a thermometer. Its LED follows the `led` key of its device
 * shadow ("on" or "off", set as desired state in the cloud or the dashboard) and reports it back;
 * a task reads a TMP102 temperature sensor over I2C every second and records it, with the
 * uptime, as telemetry, batched to `things/{thing}/telemetry`. The board has no battery-backed
 * clock, so telemetry waits until the wall clock is set from the shadow document's timestamp.
 *
 * Settings are provisioned in flash (Storage domain "app", key "config"), JSON:
 * `{ "thing": "dev-1", "host": "192.168.1.10", "port": 1883, "token": "tok-..." }`.
 * LED on GPIO 2; the TMP102 (address 0x48) on SDA 21 / SCL 22, as on an ESP32-DevKitC.
 */
import { Kernel, RealClock } from 'mote/kernel';
import { Digital, I2C, Storage, TCP, clock, engineTimer, log } from 'mote/hal';
import { mqtt, shadow, telemetry, utf8Decode } from 'mote/sdk';

interface Settings {
  thing: string;
  host: string;
  port: number;
  token: string;
}

type LedState = 'on' | 'off';

const SAMPLE_MS = 1000;

const stored = new Storage({ domain: 'app' }).get('config');
if (!stored) throw new Error('no settings in flash (Storage app/config)');
const settings = JSON.parse(utf8Decode(stored)) as Settings;

let synced = false;
const led = new Digital({ pin: 2, mode: Digital.Output });
const sensor = new I2C({ data: 21, clock: 22, address: 0x48 });
const client = new mqtt.MqttClient({
  clientId: settings.thing,
  transport: { TCP, host: settings.host, port: settings.port },
  timer: engineTimer,
  username: settings.thing,
  password: settings.token,
  keepAlive: 30,
  onStatus: (status, detail) => {
    log(detail ? `mqtt: ${status} (${detail})` : `mqtt: ${status}`);
    if (status === 'connected' && !synced) {
      synced = true; // once: the client keeps its subscriptions across reconnects
      mirror.start((error) => {
        log(error ? `shadow: ${error.message}` : 'shadow: in sync');
        if (!error) setClockFromCloud();
      });
    }
  },
});

const shadowClient = new shadow.ShadowClient(client, { thingName: settings.thing });
const mirror = new shadow.ShadowMirror<{ led: LedState }>(shadowClient, {
  reported: { led: 'off' },
  desired: {
    led: (wanted) => {
      if (wanted !== 'on' && wanted !== 'off') return undefined; // refused: the delta stays
      led.write(wanted === 'on' ? 1 : 0);
      log(`led: ${wanted}`);
      return wanted;
    },
  },
  onError: (error) => log(`shadow: ${error.message}`),
});

// Small batches often, so a dashboard's chart moves: a batch at least every 3 s.
const measurements = new telemetry.Telemetry(client, { thingName: settings.thing, timer: engineTimer, maxDelayMs: 3000, onError: (error) => log(`telemetry: ${error.message}`) });

client.start();

/** Before this (2020-01-01) the clock has not been set since the reset. */
const CLOCK_SET_AFTER = 1577836800000;

/** The shadow's timestamp (epoch seconds), read once it exists, sets the wall clock when nothing else has. */
function setClockFromCloud(): void {
  if (clock.now() > CLOCK_SET_AFTER) return;
  shadowClient.get((error, document) => {
    if (error || !document) return log(`clock: ${error ? error.message : 'no shadow'}`);
    clock.set(document.timestamp * 1000);
    log('clock: set from the cloud');
  });
}

/** TMP102 temperature register: 12 bits, left-aligned, two's complement, 0.0625 °C per bit. */
function readCelsius(): number {
  sensor.write([0], false);
  const bytes = sensor.read(2);
  let raw = (bytes[0]! << 4) | (bytes[1]! >> 4);
  if (raw & 0x800) raw -= 0x1000;
  return raw * 0.0625;
}

const kernel = new Kernel({ tickRateHz: 100 });
kernel.createTask('thermometer', 1, function* () {
  const wake = { previous: kernel.tickCount };
  for (;;) {
    if (clock.now() > CLOCK_SET_AFTER) measurements.record({ temp: readCelsius(), uptime: Math.round(kernel.tickCount / 100) });
    yield* kernel.delayUntil(wake, kernel.msToTicks(SAMPLE_MS));
  }
});
new RealClock(kernel, engineTimer).start();
log(`dev-app: ${settings.thing}`);
