/**
 * A detector model, AWS IoT Events in spirit, as zod schemas (the HTTP API validates and
 * documents with them): named inputs (attribute lists), the `key` attribute that picks the
 * detector instance a message goes to (one detector per key value), an initial state, and
 * states whose `onEnter`, `onInput` (events and transitions) and `onExit` run actions when
 * their conditions hold. Every condition, value and template is parsed by the schema, so a
 * malformed one is refused with its `line:column`; the schema also checks what a single field
 * cannot see: states named twice or missing, an input or timer used but never declared or set.
 *
 * `compile` turns a valid model into the form the runtime evaluates (expressions parsed).
 */
import { z } from 'zod';
import { shadowName } from '../api/schemas.js';
import { ExpressionError, parseExpression, parseTemplate, references, type Expression, type Template } from './expression.js';

const parsedBy = (parse: (text: string) => unknown) => (text: string, context: z.RefinementCtx) => {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    context.addIssue({ code: 'custom', message: error.message, params: { line: error.line, column: error.column } });
  }
};

export const modelName = z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, 'a detector model name holds 1 to 128 letters, digits, _ and -');
/** Names an expression reads as words ($input.<name>, $variable.<name>). */
export const identifier = (what: string) => z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, `${what} starts with a letter or _ and holds letters, digits and _ (at most 128)`);
const label = (what: string) => z.string().regex(/^[a-zA-Z0-9_:-]{1,128}$/, `${what} holds 1 to 128 letters, digits, _, : and -`);
const attributePath = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'an attribute is a field path: name or name.name...');
const expression = (description: string) => z.string().min(1).max(4096).superRefine(parsedBy(parseExpression)).describe(description);
const template = (description: string) => z.string().max(4096).superRefine(parsedBy(parseTemplate)).describe(`${description}; \${expression} parts are replaced by their value`);
const timerName = label('a timer name');
export const alarmName = label('an alarm name');

export const detectorAction = z.union([
  z.strictObject({ setVariable: z.strictObject({ variableName: identifier('a variable name'), value: expression('the new value') }) }),
  z.strictObject({ setTimer: z.strictObject({ timerName, seconds: z.number().int().min(1).max(31_536_000).describe('the timer expires this many seconds from now') }) }),
  z.strictObject({ resetTimer: z.strictObject({ timerName }).describe('starts a set timer again with its duration') }),
  z.strictObject({ clearTimer: z.strictObject({ timerName }) }),
  z.strictObject({
    republish: z.strictObject({
      topic: template('the MQTT topic').refine((t) => !/[+#]/.test(t.replace(/\$\{[^}]*\}/g, '')), 'a topic cannot hold + or #'),
      qos: z.union([z.literal(0), z.literal(1)]).default(0),
      payload: template('the payload (default: the detector as JSON: model, key, state, variables)').optional(),
    }),
  }),
  z.strictObject({
    setShadow: z.strictObject({
      shadowName: shadowName.optional().describe('a named shadow of the key\'s thing (default: its classic shadow)'),
      section: z.enum(['desired', 'reported']),
      state: z.record(z.string().min(1).max(128), expression('the value to write')).refine((s) => Object.keys(s).length > 0, 'state needs at least one key').describe('each key set to its expression\'s value'),
    }),
  }),
  z.strictObject({
    raiseAlarm: z.strictObject({
      alarmName,
      severity: z.number().int().min(0).max(2_147_483_647).default(0),
      message: template('what the operator reads').default(''),
    }),
  }),
  z.strictObject({ clearAlarm: z.strictObject({ alarmName }) }),
], { error: 'an action is an object with one key: setVariable, setTimer, resetTimer, clearTimer, republish, setShadow, raiseAlarm or clearAlarm' });
export type DetectorAction = z.output<typeof detectorAction>;

const actions = z.array(detectorAction).max(50).default([]);
const event = z.strictObject({
  eventName: z.string().max(128).optional(),
  condition: expression('when the actions run (default: always)').optional(),
  actions,
});
const transition = z.strictObject({
  eventName: z.string().max(128).optional(),
  condition: expression('when the detector moves to nextState'),
  nextState: label('a state name'),
  actions,
});
const events = z.strictObject({ events: z.array(event).max(50).default([]) });
const state = z.strictObject({
  stateName: label('a state name'),
  onEnter: events.optional(),
  onInput: z.strictObject({ events: z.array(event).max(50).default([]), transitions: z.array(transition).max(50).default([]) }).optional(),
  onExit: events.optional(),
});

export const detectorModelFields = z.strictObject({
  name: modelName,
  description: z.string().max(1024).optional(),
  key: attributePath.describe('the input attribute naming the detector a message goes to (one detector per value), e.g. thing'),
  inputs: z.record(identifier('an input name'), z.strictObject({ attributes: z.array(attributePath).min(1).max(200) }))
    .refine((i) => Object.keys(i).length > 0, 'a model needs at least one input').describe('input name -> the attributes its messages must carry'),
  initialState: label('a state name'),
  states: z.array(state).min(1).max(100),
});
export const detectorModel = detectorModelFields.superRefine((model, context) => checkReferences(model, context));
export type DetectorModel = z.output<typeof detectorModelFields>;

/** What the per-field schemas cannot see. */
function checkReferences(model: DetectorModel, context: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => context.addIssue({ code: 'custom', path, message });
  const names = new Set<string>();
  model.states.forEach((s, i) => {
    if (names.has(s.stateName)) issue(['states', i, 'stateName'], `state ${s.stateName} is declared twice`);
    names.add(s.stateName);
  });
  if (!names.has(model.initialState)) issue(['initialState'], `there is no state ${model.initialState}`);
  for (const [input, { attributes }] of Object.entries(model.inputs)) {
    if (!attributes.includes(model.key)) issue(['inputs', input, 'attributes'], `the key '${model.key}' must be one of input ${input}'s attributes`);
  }
  const timersSet = new Set<string>();
  const reads: { path: (string | number)[]; text: string }[] = [];
  for (const [i, s] of model.states.entries()) {
    const walk = (list: { condition?: string; actions: DetectorAction[] }[], where: (string | number)[]) =>
      list.forEach((e, j) => {
        if (e.condition !== undefined) reads.push({ path: ['states', i, ...where, j, 'condition'], text: e.condition });
        for (const a of e.actions) if ('setTimer' in a) timersSet.add(a.setTimer.timerName);
      });
    walk(s.onEnter?.events ?? [], ['onEnter', 'events']);
    walk(s.onInput?.events ?? [], ['onInput', 'events']);
    walk(s.onInput?.transitions ?? [], ['onInput', 'transitions']);
    walk(s.onExit?.events ?? [], ['onExit', 'events']);
    s.onInput?.transitions.forEach((t, j) => {
      if (!names.has(t.nextState)) issue(['states', i, 'onInput', 'transitions', j, 'nextState'], `there is no state ${t.nextState}`);
    });
  }
  for (const { path, text } of reads) {
    let found;
    try {
      found = references(parseExpression(text));
    } catch {
      continue; // already reported with its position
    }
    for (const input of found.inputs) if (!(input in model.inputs)) issue(path, `$input.${input}: the model has no input ${input}`);
    for (const timer of found.timers) if (!timersSet.has(timer)) issue(path, `timeout('${timer}'): no action sets timer ${timer}`);
  }
}

/** The runtime's form of a model: expressions parsed, states by name. */
export interface CompiledModel {
  model: DetectorModel;
  keyPath: string[];
  states: Map<string, CompiledState>;
}

export interface CompiledEvent {
  condition?: Expression;
  actions: CompiledAction[];
}

export interface CompiledState {
  onEnter: CompiledEvent[];
  onInput: CompiledEvent[];
  transitions: (CompiledEvent & { nextState: string })[];
  onExit: CompiledEvent[];
}

export type CompiledAction =
  | { setVariable: { variableName: string; value: Expression } }
  | { setTimer: { timerName: string; seconds: number } }
  | { resetTimer: { timerName: string } }
  | { clearTimer: { timerName: string } }
  | { republish: { topic: Template; qos: 0 | 1; payload?: Template } }
  | { setShadow: { shadowName?: string; section: 'desired' | 'reported'; state: [string, Expression][] } }
  | { raiseAlarm: { alarmName: string; severity: number; message: Template } }
  | { clearAlarm: { alarmName: string } };

function compileAction(action: DetectorAction): CompiledAction {
  if ('setVariable' in action) return { setVariable: { variableName: action.setVariable.variableName, value: parseExpression(action.setVariable.value) } };
  if ('republish' in action) {
    const { topic, qos, payload } = action.republish;
    return { republish: { topic: parseTemplate(topic), qos, ...(payload !== undefined && { payload: parseTemplate(payload) }) } };
  }
  if ('setShadow' in action) {
    const { shadowName: name, section, state: values } = action.setShadow;
    return { setShadow: { ...(name !== undefined && { shadowName: name }), section, state: Object.entries(values).map(([k, v]) => [k, parseExpression(v)]) } };
  }
  if ('raiseAlarm' in action) return { raiseAlarm: { ...action.raiseAlarm, message: parseTemplate(action.raiseAlarm.message) } };
  return action;
}

const compileEvent = (e: { condition?: string | undefined; actions: DetectorAction[] }): CompiledEvent => ({
  ...(e.condition !== undefined && { condition: parseExpression(e.condition) }),
  actions: e.actions.map(compileAction),
});

export function compile(model: DetectorModel): CompiledModel {
  const states = new Map<string, CompiledState>();
  for (const s of model.states) {
    states.set(s.stateName, {
      onEnter: (s.onEnter?.events ?? []).map(compileEvent),
      onInput: (s.onInput?.events ?? []).map(compileEvent),
      transitions: (s.onInput?.transitions ?? []).map((t) => ({ ...compileEvent(t), nextState: t.nextState })),
      onExit: (s.onExit?.events ?? []).map(compileEvent),
    });
  }
  return { model, keyPath: model.key.split('.'), states };
}
