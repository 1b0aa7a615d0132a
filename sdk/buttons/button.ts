/**
 * Button: single, double and long presses from a Digital input's edges.
 *
 *   const boot = new Button({ name: 'boot', pin: 0, Digital, timer: engineTimer,
 *     onPress: (event) => kernel.isr(() => presses.sendFromISR(event)),
 *     publish: { connection: mqtt, topic: 'things/lamp/buttons' } });
 *
 * How a press is read (times configurable, defaults in brackets):
 * - Debounce [30 ms]: every edge restarts a quiet period; when it ends the level is read, and a
 *   level that differs from the last stable one is a press or a release. A bounce train is one
 *   change, reported `debounceMs` after its last edge.
 * - Long [800 ms]: a press still held `longMs` after it became stable is 'long', reported then
 *   (not at release); its release is ignored.
 * - Double [300 ms]: a short press released, then pressed again within `doubleMs` of the
 *   release, is 'double', reported at the second release (a second press held long is 'long').
 *   A short press with no second one is 'single', reported `doubleMs` after its release;
 *   `doubleMs: 0` turns double detection off and reports 'single' at the release.
 *
 * `onPress` runs in host context (a timer callback): reach tasks through ISR-safe calls.
 * With `publish`, each event is also published (QoS 1 by default) as
 * `{"button":"boot","press":"double"}`; failures go to `onError`.
 */
import type { EngineTimer } from '../../firmware/kernel/clock.js';
import { rangeError } from '../../firmware/kernel/errors.js';
import type { Digital, DigitalClass, DigitalMode } from '../../firmware/hal/contract/digital.js';
import type { MqttConnection, QoS } from '../mqtt/connection.js';
import { topicNameProblem } from '../mqtt/topics.js';

export type Press = 'single' | 'double' | 'long';

export interface ButtonEvent {
  button: string;
  press: Press;
  /** The engine timer's time (ms) the press was recognised. */
  at: number;
}

export interface ButtonOptions {
  /** Names the button in events ('boot'). */
  name: string;
  pin: number;
  /** The HAL's Digital class (the SDK imports no port). */
  Digital: DigitalClass;
  /** Default Digital.InputPullUp. */
  mode?: DigitalMode;
  /** The level while pressed; default 0 (a button to ground with a pull-up). */
  pressedLevel?: 0 | 1;
  /** The engine's timers (the HAL's `engineTimer`). */
  timer: EngineTimer;
  debounceMs?: number;
  doubleMs?: number;
  longMs?: number;
  onPress: (event: ButtonEvent) => void;
  publish?: { connection: MqttConnection; topic: string; qos?: QoS };
  /** Publish failures, and errors thrown by onPress. */
  onError?: (error: Error) => void;
}

type Timer = 'debounce' | 'long' | 'gap';

export class Button {
  readonly name: string;
  private readonly digital: Digital;
  private readonly debounceMs: number;
  private readonly doubleMs: number;
  private readonly longMs: number;
  private readonly pressedLevel: 0 | 1;
  private readonly timers: { [name: string]: unknown } = {};
  /** The last stable state. */
  private pressed = false;
  /** The press under way is the second of a pair. */
  private second = false;
  /** The press under way was already reported as long. */
  private wasLong = false;

  constructor(private readonly options: ButtonOptions) {
    const o = options;
    if (typeof o.name !== 'string' || o.name === '') throw rangeError('Button: name must be a non-empty string');
    this.name = o.name;
    this.debounceMs = milliseconds('debounceMs', o.debounceMs, 30);
    this.doubleMs = milliseconds('doubleMs', o.doubleMs, 300);
    this.longMs = milliseconds('longMs', o.longMs, 800);
    if (this.longMs === 0) throw rangeError('Button: longMs must be more than 0');
    this.pressedLevel = o.pressedLevel === undefined ? 0 : o.pressedLevel;
    if (o.publish) {
      const problem = topicNameProblem(o.publish.topic);
      if (problem) throw rangeError(`Button: ${problem}`);
    }
    const onEdge = () => this.start('debounce', this.debounceMs, () => this.settle());
    this.digital = new o.Digital({ pin: o.pin, mode: o.mode === undefined ? o.Digital.InputPullUp : o.mode, edge: 3, onReadable: onEdge });
    this.pressed = this.digital.read() === this.pressedLevel;
    // Held at start: not a press we saw begin; wait for its release.
    this.wasLong = this.pressed;
  }

  /** Stops watching the pin and releases it; no event comes after this. */
  close(): void {
    for (const name of Object.keys(this.timers)) this.stop(name as Timer);
    this.digital.close();
  }

  /** The level has been quiet for debounceMs: a press or a release, if it changed. */
  private settle(): void {
    const pressed = this.digital.read() === this.pressedLevel;
    if (pressed === this.pressed) return;
    this.pressed = pressed;
    if (pressed) {
      this.second = this.timers.gap !== undefined;
      this.stop('gap');
      this.wasLong = false;
      this.start('long', this.longMs, () => {
        this.wasLong = true;
        this.second = false;
        this.emit('long');
      });
      return;
    }
    this.stop('long');
    if (this.wasLong) return;
    if (this.second) {
      this.second = false;
      this.emit('double');
    } else if (this.doubleMs === 0) this.emit('single');
    else this.start('gap', this.doubleMs, () => this.emit('single'));
  }

  private emit(press: Press): void {
    const event: ButtonEvent = { button: this.name, press, at: this.options.timer.now() };
    const o = this.options;
    try {
      o.onPress(event);
    } catch (error) {
      if (o.onError) o.onError(error as Error);
    }
    if (!o.publish) return;
    const body = JSON.stringify({ button: event.button, press });
    o.publish.connection.publish(o.publish.topic, body, { qos: o.publish.qos === undefined ? 1 : o.publish.qos }, (error) => {
      if (error && o.onError) o.onError(new Error(`Button ${this.name}: publishing to ${o.publish!.topic} failed: ${error.message}`));
    });
  }

  private start(name: Timer, ms: number, fn: () => void): void {
    this.stop(name);
    this.timers[name] = this.options.timer.setTimeout(() => {
      delete this.timers[name];
      fn();
    }, ms);
  }

  private stop(name: Timer): void {
    if (this.timers[name] === undefined) return;
    this.options.timer.clearTimeout(this.timers[name]);
    delete this.timers[name];
  }
}

function milliseconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || Math.floor(value) !== value) throw rangeError(`Button: ${name} must be a whole number of ms, not ${String(value)}`);
  return value;
}
