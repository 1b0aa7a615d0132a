/**
 * Event detectors at run time: detector models kept in the store, input messages (from the
 * rules engine's `iotEvents` action or `POST /events/inputs/{input}`) routed to one detector per
 * (model, key value), timers firing on the clock, and alarms. Everything a detector is — state,
 * variables, timer deadlines — is written to the store after each trigger, so a restarted cloud
 * goes on where it stopped: timers resume from their stored deadlines (one already past fires
 * at once).
 *
 * Triggers of one detector run one at a time, in arrival order; different detectors run
 * concurrently. Models are cached by this process, as rules are: several processes on one
 * PostgreSQL each see the changes made through them, and the others' after a restart.
 *
 * Alarm changes are published (QoS 1) on `$aws/events/alarms/{model}/{key}` for devices and
 * operators' MQTT clients, and on `$mote/alarms` for the dashboard's live feed.
 */
import type { MessageBus } from '../bus.js';
import { invalid, notFound } from '../errors.js';
import { isObject } from '../rules/sql/values.js';
import type { ShadowService } from '../shadow/service.js';
import { shadowTopicPrefix } from '../shadow/topics.js';
import type { Database } from '../store/database.js';
import { Alarms, type Alarm } from './alarms.js';
import { systemClock, type Clock } from './clock.js';
import { step, type DetectorInstance, type Effects, type Trigger } from './detector.js';
import { compile, type CompiledModel, type DetectorModel } from './model.js';
import { detectorRows, modelRows, type StoredModel } from './records.js';

export interface EventsOptions {
  clock?: Clock;
  /** Failed actions, and failures of timer-triggered work nobody waits for. */
  onError?: (error: Error) => void;
}

/** What one input message did to one model's detector. */
export interface InputResult {
  model: string;
  key: string;
  state: string;
  /** Actions that failed (the others ran). */
  failures?: string[];
}

/** A key value names a detector and goes into MQTT topics: no '/', '+' or '#'. */
export const KEY_VALUE = /^[a-zA-Z0-9:_.-]{1,128}$/;

export const ALARMS_BUS_TOPIC = '$mote/alarms';
export const alarmTopic = (model: string, key: string) => `$aws/events/alarms/${model}/${key}`;

const pathValue = (message: unknown, path: string[]): unknown => path.reduce<unknown>((v, name) => (isObject(v) && Object.hasOwn(v, name) ? v[name] : undefined), message);

export class EventsService {
  readonly alarms: Alarms;
  private readonly models = new Map<string, { stored: StoredModel; compiled: CompiledModel }>();
  /** `model/key` -> timer name -> clock handle. */
  private readonly armed = new Map<string, Map<string, unknown>>();
  /** `model/key` -> the end of its queue of triggers. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly clock: Clock;
  private closed = false;

  private constructor(
    private readonly db: Database,
    private readonly bus: MessageBus,
    private readonly shadows: ShadowService,
    private readonly options: EventsOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.alarms = new Alarms(db, () => this.clock.now(), (alarm) => this.publishAlarm(alarm));
  }

  /** Loads the models and arms every stored detector's timers. */
  static async start(db: Database, services: { bus: MessageBus; shadows: ShadowService }, options: EventsOptions = {}): Promise<EventsService> {
    const service = new EventsService(db, services.bus, services.shadows, options);
    for (const stored of await modelRows.list(db)) service.models.set(stored.model.name, { stored, compiled: compile(stored.model) });
    for (const detector of await detectorRows.list(db)) service.arm(detector);
    return service;
  }

  listModels(): StoredModel[] {
    return [...this.models.values()].map((m) => m.stored);
  }

  getModel(name: string): StoredModel {
    const found = this.models.get(name);
    if (!found) throw notFound(`detector model ${name}`);
    return found.stored;
  }

  /**
   * Creates or replaces a model (validated by the `detectorModel` schema). Its detectors keep
   * their state, variables and timers; one whose state the new model lacks starts again from
   * the initial state at its next trigger.
   */
  async putModel(model: DetectorModel): Promise<{ stored: StoredModel; created: boolean }> {
    const compiled = compile(model);
    const at = this.clock.now();
    const { created, ...stored } = await this.db.transaction((tx) => modelRows.put(tx, model, at));
    this.models.set(model.name, { stored, compiled });
    return { stored, created };
  }

  /** Deletes a model with its detectors (their timers stop) and alarms. */
  async deleteModel(name: string): Promise<void> {
    if (!(await modelRows.delete(this.db, name))) throw notFound(`detector model ${name}`);
    this.models.delete(name);
    for (const [id, timers] of this.armed) {
      if (!id.startsWith(`${name}/`)) continue;
      for (const handle of timers.values()) this.clock.clearTimeout(handle);
      this.armed.delete(id);
    }
  }

  detectors(model?: string): Promise<DetectorInstance[]> {
    if (model !== undefined) this.getModel(model);
    return detectorRows.list(this.db, model);
  }

  /**
   * Sends a message to an input: to the detector of its key value in every model taking that
   * input. The message is checked against every such model first (an object carrying each of
   * the input's attributes, a usable key value), so a refused message reaches none of them.
   */
  async sendInput(input: string, message: unknown): Promise<InputResult[]> {
    const takers = [...this.models.values()].filter((m) => Object.hasOwn(m.stored.model.inputs, input)).map((m) => m.compiled);
    if (takers.length === 0) throw notFound(`input ${input} (no detector model takes it)`);
    if (!isObject(message)) throw invalid(`a message to input ${input} must be a JSON object`);
    const routes = takers.map((compiled) => {
      const { model } = compiled;
      for (const attribute of model.inputs[input]!.attributes) {
        if (pathValue(message, attribute.split('.')) === undefined) throw invalid(`input ${input} of model ${model.name}: the message has no attribute '${attribute}'`);
      }
      const raw = pathValue(message, compiled.keyPath);
      const key = typeof raw === 'number' ? String(raw) : raw;
      if (typeof key !== 'string' || !KEY_VALUE.test(key)) throw invalid(`model ${model.name}: the key '${model.key}' must be a string or number of 1 to 128 letters, digits, ':', '_', '.' and '-', not ${JSON.stringify(raw)}`);
      return { compiled, key };
    });
    return Promise.all(routes.map(({ compiled, key }) => this.trigger(compiled, key, { input, message })));
  }

  /** Resolves once every timer-triggered evaluation started so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops the timers (their deadlines stay stored) and waits for work in progress. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timers of this.armed.values()) for (const handle of timers.values()) this.clock.clearTimeout(handle);
    this.armed.clear();
    await this.idle();
    await Promise.allSettled([...this.queues.values()]);
  }

  /** Runs `trigger` on the detector (model, key) after the triggers queued before it. */
  private trigger(compiled: CompiledModel, key: string, trigger: Trigger): Promise<InputResult> {
    const id = `${compiled.model.name}/${key}`;
    const run = (this.queues.get(id) ?? Promise.resolve()).catch(() => undefined).then(() => this.evaluate(compiled, key, trigger));
    this.queues.set(id, run);
    const forget = () => {
      if (this.queues.get(id) === run) this.queues.delete(id);
    };
    run.then(forget, forget);
    return run;
  }

  private async evaluate(compiled: CompiledModel, key: string, trigger: Trigger): Promise<InputResult> {
    const name = compiled.model.name;
    // The model may have been replaced or deleted while this trigger waited.
    const current = this.models.get(name)?.compiled;
    if (current === undefined) throw notFound(`detector model ${name}`);
    const now = this.clock.now();
    const stored = await detectorRows.get(this.db, name, key);
    const created = stored === undefined || !current.states.has(stored.state);
    const detector: DetectorInstance = created
      ? { model: name, key, state: current.model.initialState, variables: {}, timers: stored?.timers ?? {}, updatedAt: now }
      : stored;
    if ('timer' in trigger) {
      const timer = detector.timers[trigger.timer];
      // Cleared, reset to a later deadline, or fired already: a stale wake-up.
      if (stored === undefined || timer === undefined || timer.deadline > now) return { model: name, key, state: detector.state };
      delete detector.timers[trigger.timer];
    }
    const failures = await step(current, detector, trigger, this.effects(name, key), now, created);
    await detectorRows.put(this.db, detector);
    this.arm(detector);
    for (const failure of failures) this.options.onError?.(new Error(`detector ${name}/${key}: ${failure}`));
    return { model: name, key, state: detector.state, ...(failures.length > 0 && { failures }) };
  }

  /** Arms the clock for each of the detector's timers, replacing what was armed before. */
  private arm(detector: DetectorInstance): void {
    if (this.closed) return;
    const id = `${detector.model}/${detector.key}`;
    for (const handle of this.armed.get(id)?.values() ?? []) this.clock.clearTimeout(handle);
    const timers = new Map<string, unknown>();
    for (const [timerName, { deadline }] of Object.entries(detector.timers)) {
      timers.set(timerName, this.clock.setTimeout(() => this.fire(detector.model, detector.key, timerName, deadline), deadline - this.clock.now()));
    }
    if (timers.size > 0) this.armed.set(id, timers);
    else this.armed.delete(id);
  }

  private fire(model: string, key: string, timerName: string, deadline: number): void {
    const entry = this.models.get(model);
    if (entry === undefined || this.closed) return;
    if (this.clock.now() < deadline) {
      // Woken early (a wait longer than setTimeout allows): wait the rest.
      this.armed.get(`${model}/${key}`)?.set(timerName, this.clock.setTimeout(() => this.fire(model, key, timerName, deadline), deadline - this.clock.now()));
      return;
    }
    const work = this.trigger(entry.compiled, key, { timer: timerName }).catch((error: Error) => this.options.onError?.(error));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private effects(model: string, key: string): Effects {
    const id = { model, key };
    return {
      republish: (topic, payload, qos) => this.bus.publish(topic, payload, { qos }),
      setShadow: async (shadowName, section, state) => {
        const shadow = { thingName: key, ...(shadowName !== undefined && { shadowName }) };
        const outcome = await this.shadows.update(shadow, JSON.stringify({ state: { [section]: state } }));
        // Published as the HTTP API does, so the device hears of it (update/delta).
        for (const m of outcome.messages) await this.bus.publish(`${shadowTopicPrefix(shadow)}/${m.suffix}`, JSON.stringify(m.payload), { qos: 1 });
        if (!outcome.accepted) throw new Error(`shadow of ${key}: ${outcome.error.message}`);
      },
      raiseAlarm: async (name, severity, message) => void (await this.alarms.raise({ ...id, name }, severity, message)),
      clearAlarm: async (name) => void (await this.alarms.clear({ ...id, name })),
    };
  }

  private async publishAlarm(alarm: Alarm): Promise<void> {
    const text = JSON.stringify(alarm);
    await this.bus.publish(alarmTopic(alarm.model, alarm.key), text, { qos: 1 });
    await this.bus.publish(ALARMS_BUS_TOPIC, text, { qos: 1 });
  }
}
