/**
 * What the cloud suites' devices share (not a suite: no suite.json): the settings `mote hil`
 * provisions in flash (Storage "hil", key "config"), an MQTT client to the suite's cloud, and a
 * poll that ends a callback test when a condition holds.
 */
import { Storage, TCP, engineTimer, log } from 'mote/hal';
import { mqtt, utf8Decode } from 'mote/sdk';

export interface HilSettings {
  thing: string;
  host: string;
  port: number;
  token: string;
  /** This device's name in the suite. */
  device: string;
  /** Every device of the suite: name → thing. */
  peers: { [device: string]: string };
}

export function settings(): HilSettings {
  const stored = new Storage({ domain: 'hil' }).get('config');
  if (!stored) throw new Error('no settings in flash (Storage hil/config): does suite.json say "cloud": true?');
  return JSON.parse(utf8Decode(stored)) as HilSettings;
}

/** An MQTT client for this device's thing, logging its status changes and its handlers' errors; not started. `more` adds or overrides options. */
export function cloudClient(s: HilSettings, more: Partial<mqtt.MqttClientOptions> = {}): mqtt.MqttClient {
  return new mqtt.MqttClient({
    clientId: s.thing,
    transport: { TCP, host: s.host, port: s.port },
    timer: engineTimer,
    username: s.thing,
    password: s.token,
    keepAlive: 30,
    onStatus: (status, detail) => log(detail ? `mqtt: ${status} (${detail})` : `mqtt: ${status}`),
    // A message handler that threw: the client goes on, the log says why.
    onError: (error) => log(`mqtt: a handler threw: ${error.message}`),
    ...more,
  });
}

/** Calls `then` once `condition()` holds, checking every 20 ms. */
export function when(condition: () => boolean, then: () => void): void {
  if (condition()) then();
  else engineTimer.setTimeout(() => when(condition, then), 20);
}
