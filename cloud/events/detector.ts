/**
 * One detector instance (a model's state machine for one key value) and how a trigger — an
 * input message or an expired timer — moves it, in AWS IoT Events' order:
 *
 * 1. a detector created by this message first runs its initial state's `onEnter` events;
 * 2. every `onInput` event of the current state whose condition holds runs its actions;
 * 3. the first transition whose condition holds runs its actions, then the state's `onExit`
 *    events, then the detector enters `nextState` and runs its `onEnter` events (a transition
 *    to the same state exits and enters it again).
 *
 * Conditions see the triggering input's message as `$input.<name>` (other inputs are
 * undefined), the variables as they are at that moment (an earlier action's setVariable is
 * visible to later conditions), and `timeout('t')` is true only while timer t's expiry is
 * evaluated. Variables and timers change here; everything else an action does (publish, write
 * a shadow, raise an alarm) goes through `Effects`. A failed action is reported and the others
 * still run, as AWS does.
 */
import { evaluate, holds, render, type Scope } from './expression.js';
import type { CompiledAction, CompiledEvent, CompiledModel } from './model.js';

export interface Timer {
  /** Epoch ms it expires at. */
  deadline: number;
  /** Its duration, for resetTimer. */
  seconds: number;
}

export interface DetectorInstance {
  model: string;
  key: string;
  state: string;
  variables: Record<string, unknown>;
  timers: Record<string, Timer>;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

export type Trigger = { input: string; message: unknown } | { timer: string };

/** What actions do outside the detector, for this detector's key. */
export interface Effects {
  republish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
  setShadow(shadowName: string | undefined, section: 'desired' | 'reported', state: Record<string, unknown>): Promise<void>;
  raiseAlarm(alarmName: string, severity: number, message: string): Promise<void>;
  clearAlarm(alarmName: string): Promise<void>;
}

/** Runs `trigger` through `instance` (changed in place); returns the failed actions' messages. */
export async function step(compiled: CompiledModel, instance: DetectorInstance, trigger: Trigger, effects: Effects, now: number, created: boolean): Promise<string[]> {
  const failures: string[] = [];
  const scope: Scope = {
    variables: instance.variables,
    ...('input' in trigger ? { input: { name: trigger.input, message: trigger.message } } : { timedOut: trigger.timer }),
  };
  const run = async (events: CompiledEvent[]) => {
    for (const event of events) if (holds(event.condition, scope)) await act(event.actions);
  };
  const act = async (actions: CompiledAction[]) => {
    for (const action of actions) {
      try {
        await perform(action, instance, scope, effects, now);
      } catch (error) {
        failures.push(`${Object.keys(action)[0]}: ${(error as Error).message}`);
      }
    }
  };
  const state = () => compiled.states.get(instance.state)!;

  if (created) await run(state().onEnter);
  await run(state().onInput);
  const transition = state().transitions.find((t) => holds(t.condition, scope));
  if (transition) {
    await act(transition.actions);
    await run(state().onExit);
    instance.state = transition.nextState;
    await run(state().onEnter);
  }
  instance.updatedAt = now;
  return failures;
}

async function perform(action: CompiledAction, instance: DetectorInstance, scope: Scope, effects: Effects, now: number): Promise<void> {
  if ('setVariable' in action) {
    const value = evaluate(action.setVariable.value, scope);
    if (value === undefined) delete instance.variables[action.setVariable.variableName];
    else instance.variables[action.setVariable.variableName] = value;
  } else if ('setTimer' in action) {
    const { timerName, seconds } = action.setTimer;
    instance.timers[timerName] = { deadline: now + seconds * 1000, seconds };
  } else if ('resetTimer' in action) {
    const timer = instance.timers[action.resetTimer.timerName];
    if (timer === undefined) throw new Error(`timer ${action.resetTimer.timerName} is not set`);
    timer.deadline = now + timer.seconds * 1000;
  } else if ('clearTimer' in action) {
    delete instance.timers[action.clearTimer.timerName];
  } else if ('republish' in action) {
    const { topic, qos, payload } = action.republish;
    const text = payload ? render(payload, scope) : JSON.stringify({ model: instance.model, key: instance.key, state: instance.state, variables: instance.variables });
    await effects.republish(render(topic, scope), text, qos);
  } else if ('setShadow' in action) {
    const { shadowName, section, state } = action.setShadow;
    // An undefined value would be dropped by JSON: write null, which deletes the key, as AWS's shadow does.
    await effects.setShadow(shadowName, section, Object.fromEntries(state.map(([k, v]) => [k, evaluate(v, scope) ?? null])));
  } else if ('raiseAlarm' in action) {
    const { alarmName, severity, message } = action.raiseAlarm;
    await effects.raiseAlarm(alarmName, severity, render(message, scope));
  } else {
    await effects.clearAlarm(action.clearAlarm.alarmName);
  }
}
