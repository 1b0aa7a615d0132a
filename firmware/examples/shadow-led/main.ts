/**
 * A shadow-controlled LED: the device follows the `led` key of its AWS IoT device shadow ("on" or
 * "off", set as desired state in the cloud), drives the LED to match and reports it back; a task
 * reports the device's uptime every ten seconds with the blocking form of the same call.
 *
 * The device's settings are provisioned in flash (Storage domain "app", key "config"), JSON:
 * `{ "thing": "lamp-1", "host": "192.168.1.10", "port": 1883, "token": "tok-..." }` (a token from
 * `mote cloud add-device lamp-1`). LED on GPIO 2, as on an ESP32-DevKitC.
 */
import { Kernel, MAX_DELAY, RealClock } from 'mote/kernel';
import { Digital, Storage, TCP, engineTimer, log } from 'mote/hal';
import { awaitDone, mqtt, shadow, utf8Decode } from 'mote/sdk';

interface Settings {
  thing: string;
  host: string;
  port: number;
  token: string;
}

type LedState = 'on' | 'off';
type LampState = { led: LedState; uptime: number };

const stored = new Storage({ domain: 'app' }).get('config');
if (!stored) throw new Error('no settings in flash (Storage app/config)');
const settings = JSON.parse(utf8Decode(stored)) as Settings;

const led = new Digital({ pin: 2, mode: Digital.Output });
const client = new mqtt.MqttClient({
  clientId: settings.thing,
  transport: { TCP, host: settings.host, port: settings.port },
  timer: engineTimer,
  username: settings.thing,
  password: settings.token,
  keepAlive: 30,
  onStatus: (status, detail) => log(detail ? `mqtt: ${status} (${detail})` : `mqtt: ${status}`),
});

const mirror = new shadow.ShadowMirror<LampState>(new shadow.ShadowClient(client, { thingName: settings.thing }), {
  reported: { led: 'off', uptime: 0 },
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

let started = false;
client.subscribe(`cmd/${settings.thing}/ping`, () => log('ping'), { qos: 0 }, () => {
  // The first SUBACK means the session is up: sync the shadow once.
  if (started) return;
  started = true;
  mirror.start((error) => log(error ? `shadow: ${error.message}` : 'shadow: in sync'));
});
client.start();

const kernel = new Kernel({ tickRateHz: 100 });
kernel.createTask('uptime', 1, function* () {
  const wake = { previous: kernel.tickCount };
  for (;;) {
    yield* kernel.delayUntil(wake, kernel.msToTicks(10000));
    const seconds = Math.round(kernel.tickCount / 100);
    const reported = yield* awaitDone(kernel, (done) => mirror.set({ uptime: seconds }, done), MAX_DELAY);
    if (!reported.ok) log(`uptime: ${reported.error.message}`);
  }
});
new RealClock(kernel, engineTimer).start();
log(`shadow-led: ${settings.thing}`);
