// Detector expressions and models without a cloud: parsing with positions, evaluation, the
// model schema's cross-checks, and a detector stepped through its states with fake effects.
import { describe, expect, it } from 'vitest';
import { step, type DetectorInstance, type Effects } from './detector.js';
import { evaluate, ExpressionError, parseExpression, parseTemplate, render, type Scope } from './expression.js';
import { compile, detectorModel } from './model.js';

const scope = (message: unknown, variables: Record<string, unknown> = {}, timedOut?: string): Scope => ({
  input: { name: 'In', message }, variables, ...(timedOut !== undefined && { timedOut }),
});
const value = (text: string, s: Scope = scope({})) => evaluate(parseExpression(text), s);

describe('detector expressions', () => {
  it('evaluates inputs, variables, timeouts, operators and precedence', () => {
    const s = scope({ t: 31, sensor: { list: [1, 2, 3], name: 'hall' }, on: true }, { limit: 30, n: 2 }, 'cool');
    expect(value('$input.In.t > $variable.limit && $input.In.on', s)).toBe(true);
    expect(value('$input.In.t > $variable.limit && !$input.In.on', s)).toBe(false);
    expect(value('1 + 2 * 3 == 7 || false', s)).toBe(true);
    expect(value('($input.In.sensor.list[2] - 1) / 4', s)).toBe(0.5);
    expect(value("$input.In.sensor.name + '-' + $variable.n", s)).toBe('hall-2');
    expect(value("timeout('cool') && !timeout('other')", s)).toBe(true);
    expect(value('-$variable.n % 3', s)).toBe(-2);
    expect(value("'abc' < 'abd' && 2 != '3' && null == null", s)).toBe(true);
    expect(value('isUndefined($input.Other.t) && isUndefined($variable.nope) && isNull(null) && abs(-4) == 4', s)).toBe(true);
  });

  it('gives undefined, not an exception, for what is missing or of the wrong type; only true holds', () => {
    const s = scope({ t: 'warm' });
    expect(value('$input.In.missing.deeper > 3', s)).toBeUndefined();
    expect(value('$input.In.t * 2', s)).toBeUndefined();
    expect(value('!$input.In.t', s)).toBeUndefined();
    expect(value('1 / 0', s)).toBeUndefined();
    expect(value('$input.In.missing > 3 || true', s)).toBe(true);
  });

  it('refuses malformed expressions with line and column', () => {
    const error = (text: string) => {
      try {
        parseExpression(text);
      } catch (e) {
        expect(e).toBeInstanceOf(ExpressionError);
        return (e as Error).message;
      }
      throw new Error(`parsed: ${text}`);
    };
    expect(error('$input.In.t >')).toBe('1:14: expected a value, $input, $variable, a function call or \'(\', found the end of the expression');
    expect(error('$input.In.t > 3 &&\n  $foo.x')).toBe("2:4: expected 'input' or 'variable' after $, found 'foo'");
    expect(error('$variable.a = 1')).toBe("1:13: unexpected character '=': compare or combine with ==");
    expect(error('timeout(cool)')).toBe("1:9: expected a value, $input, $variable, a function call or '(', found 'cool'");
    expect(error('timeout($variable.t)')).toBe("1:1: timeout() takes a timer name in quotes: timeout('name')");
    expect(error('nosuch(1)')).toMatch(/^1:1: unknown function nosuch\(\)/);
    expect(error("'open")).toBe('1:1: string starting here is not closed: expected \'');
    expect(error('(1 + 2')).toBe("1:7: expected ')', found the end of the expression");
    expect(error('1 2')).toBe("1:3: expected an operator or the end of the expression, found '2'");
  });

  it('renders templates and places their errors in the whole text', () => {
    expect(render(parseTemplate('alerts/${$input.In.thing}/${1 + 1}'), scope({ thing: 'lamp' }))).toBe('alerts/lamp/2');
    expect(render(parseTemplate("t=${$input.In.x} ${'}'}"), scope({ x: { a: 1 } }))).toBe('t={"a":1} }');
    expect(() => parseTemplate('a/${$input.In.x')).toThrow("1:3: '${' is not closed: expected '}'");
    expect(() => parseTemplate('a/${$input.In.x +}')).toThrow("1:18: expected a value");
  });
});

const overheat = {
  name: 'overheat', key: 'thing',
  inputs: { Temp: { attributes: ['thing', 'temperature'] } },
  initialState: 'Normal',
  states: [
    {
      stateName: 'Normal',
      onEnter: { events: [{ actions: [{ setVariable: { variableName: 'entered', value: '$variable.entered + 1' } }, { clearAlarm: { alarmName: 'hot' } }] }] },
      onInput: { transitions: [{ condition: '$input.Temp.temperature > 30', nextState: 'Hot', actions: [{ setVariable: { variableName: 'peak', value: '$input.Temp.temperature' } }] }] },
    },
    {
      stateName: 'Hot',
      onEnter: { events: [{ actions: [{ raiseAlarm: { alarmName: 'hot', severity: 2, message: '${$input.Temp.thing} at ${$input.Temp.temperature}' } }, { setTimer: { timerName: 'cool', seconds: 60 } }] }] },
      onInput: {
        events: [{ condition: '$input.Temp.temperature > $variable.peak', actions: [{ setVariable: { variableName: 'peak', value: '$input.Temp.temperature' } }] }],
        transitions: [{ condition: "timeout('cool')", nextState: 'Normal' }],
      },
      onExit: { events: [{ actions: [{ republish: { topic: 'ops/${$variable.peak}', payload: 'left hot' } }] }] },
    },
  ],
};

describe('detector models', () => {
  it('accepts a valid model and refuses a bad condition with its path and position', () => {
    expect(detectorModel.safeParse(overheat).success).toBe(true);
    const bad = structuredClone(overheat);
    bad.states[0]!.onInput!.transitions[0]!.condition = '$input.Temp.temperature >> 30';
    const issues = detectorModel.safeParse(bad).error!.issues;
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([['states.0.onInput.transitions.0.condition', "1:26: expected a value, $input, $variable, a function call or '(', found '>'"]]);
  });

  it('names the action kinds when an action is none of them, and the field when one is wrong', () => {
    const model = structuredClone(overheat) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- broken on purpose
    model.states[1].onEnter.events[0].actions = [{ raiseAlarmz: {} }, { setTimer: { timerName: 'cool', seconds: 0 } }];
    const issues = detectorModel.safeParse(model).error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      'states.1.onEnter.events.0.actions.0: an action is an object with one key: setVariable, setTimer, resetTimer, clearTimer, republish, setShadow, raiseAlarm or clearAlarm',
      'states.1.onEnter.events.0.actions.1.setTimer.seconds: Too small: expected number to be >=1',
    ]);
  });

  it('refuses what no single field shows: missing states, undeclared inputs, timers never set, a key not among the attributes', () => {
    const bad = structuredClone(overheat) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- broken on purpose
    bad.initialState = 'Idle';
    bad.states[0].onInput.transitions[0].nextState = 'Boiling';
    bad.states[1].onInput.events[0].condition = '$input.Humidity.h > 3';
    bad.states[1].onInput.transitions[0].condition = "timeout('warm')";
    bad.inputs.Temp.attributes = ['temperature'];
    bad.states.push({ stateName: 'Hot' });
    const messages = detectorModel.safeParse(bad).error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages.sort()).toEqual([
      'initialState: there is no state Idle',
      "inputs.Temp.attributes: the key 'thing' must be one of input Temp's attributes",
      'states.0.onInput.transitions.0.nextState: there is no state Boiling',
      'states.1.onInput.events.0.condition: $input.Humidity: the model has no input Humidity',
      "states.1.onInput.transitions.0.condition: timeout('warm'): no action sets timer warm",
      'states.2.stateName: state Hot is declared twice',
    ]);
  });

  it('steps a detector: onEnter of a new detector, onInput events, transitions with onExit and onEnter, timers', async () => {
    const compiled = compile(detectorModel.parse(overheat));
    const done: string[] = [];
    const effects: Effects = {
      republish: async (topic, payload) => void done.push(`publish ${topic} ${payload}`),
      setShadow: async () => void done.push('shadow'),
      raiseAlarm: async (name, severity, message) => void done.push(`raise ${name} ${severity} ${message}`),
      clearAlarm: async (name) => void done.push(`clear ${name}`),
    };
    const d: DetectorInstance = { model: 'overheat', key: 'lamp', state: 'Normal', variables: { entered: 0 }, timers: {}, updatedAt: 0 };
    expect(await step(compiled, d, { input: 'Temp', message: { thing: 'lamp', temperature: 20 } }, effects, 1000, true)).toEqual([]);
    expect(d).toMatchObject({ state: 'Normal', variables: { entered: 1 }, timers: {} });
    expect(done.splice(0)).toEqual(['clear hot']);

    await step(compiled, d, { input: 'Temp', message: { thing: 'lamp', temperature: 35 } }, effects, 2000, false);
    expect(d).toMatchObject({ state: 'Hot', variables: { entered: 1, peak: 35 }, timers: { cool: { deadline: 62_000, seconds: 60 } } });
    expect(done.splice(0)).toEqual(['raise hot 2 lamp at 35']);

    await step(compiled, d, { input: 'Temp', message: { thing: 'lamp', temperature: 40 } }, effects, 3000, false);
    expect(d.variables.peak).toBe(40);
    await step(compiled, d, { timer: 'cool' }, effects, 62_000, false);
    expect(d.state).toBe('Normal');
    expect(d.variables.entered).toBe(2);
    expect(done.splice(0)).toEqual(['publish ops/40 left hot', 'clear hot']);
  });

  it('reports a failed action and runs the rest', async () => {
    const model = detectorModel.parse({
      name: 'm', key: 'k', inputs: { I: { attributes: ['k'] } }, initialState: 'S',
      states: [{ stateName: 'S', onInput: { events: [{ actions: [{ resetTimer: { timerName: 't' } }, { setVariable: { variableName: 'x', value: '1' } }] }] } }],
    });
    const d: DetectorInstance = { model: 'm', key: 'a', state: 'S', variables: {}, timers: {}, updatedAt: 0 };
    const failures = await step(compile(model), d, { input: 'I', message: { k: 'a' } }, {} as Effects, 0, false);
    expect(failures).toEqual(['resetTimer: timer t is not set']);
    expect(d.variables).toEqual({ x: 1 });
  });
});
