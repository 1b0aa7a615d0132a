/**
 * Event detectors and alarms (cloud/events/): detector models, their detectors, messages sent
 * to inputs (BatchPutMessage in spirit), and the alarms operators list and acknowledge.
 */
import { z } from 'zod';
import { AlarmNotRaised, alarmStates } from '../../events/alarms.js';
import { alarmName, detectorModel, detectorModelFields, identifier, modelName } from '../../events/model.js';
import { KEY_VALUE } from '../../events/service.js';
import { notFound } from '../../errors.js';
import { Reply, route } from '../route.js';

const epochMs = z.number().int().describe('epoch milliseconds');
const storedModel = detectorModelFields.extend({ createdAt: epochMs, updatedAt: epochMs });
const keyValue = z.string().regex(KEY_VALUE, "a key value holds 1 to 128 letters, digits, ':', '_', '.' and '-'");
const alarmParams = z.strictObject({ model: modelName, key: keyValue, name: alarmName });
export const alarm = z.object({
  model: z.string(), key: z.string(), name: z.string(), state: z.enum(alarmStates), severity: z.number().int(), message: z.string(),
  updatedAt: epochMs, note: z.string().optional().describe("the operator's note with the last acknowledgement"),
});
const detector = z.object({
  model: z.string(), key: z.string(), state: z.string(), variables: z.record(z.string(), z.unknown()),
  timers: z.array(z.object({ timerName: z.string(), deadline: epochMs.describe('when it expires, epoch milliseconds'), seconds: z.number().int() })),
  updatedAt: epochMs,
});
const flat = ({ model, createdAt, updatedAt }: { model: z.output<typeof detectorModel>; createdAt: number; updatedAt: number }) => ({ ...model, createdAt, updatedAt });

export const eventRoutes = [
  route({
    operation: 'PutDetectorModel', method: 'POST', path: '/events/detector-models', tag: 'events',
    summary: 'Creates or replaces a detector model. A malformed condition, value or template is refused with its line:column; detectors of a replaced model keep their state.',
    body: detectorModel, response: storedModel,
    handle: async ({ body }, { events }) => flat((await events.putModel(body)).stored),
  }),
  route({
    operation: 'ListDetectorModels', method: 'GET', path: '/events/detector-models', tag: 'events', summary: 'All detector models.',
    response: z.object({ detectorModels: z.array(storedModel) }),
    handle: async (_input, { events }) => ({ detectorModels: events.listModels().map(flat) }),
  }),
  route({
    operation: 'DescribeDetectorModel', method: 'GET', path: '/events/detector-models/{name}', tag: 'events', summary: 'One detector model.',
    params: z.strictObject({ name: modelName }), response: storedModel,
    handle: async ({ params }, { events }) => flat(events.getModel(params.name)),
  }),
  route({
    operation: 'DeleteDetectorModel', method: 'DELETE', path: '/events/detector-models/{name}', tag: 'events',
    summary: 'Deletes a detector model with its detectors and alarms.',
    params: z.strictObject({ name: modelName }),
    handle: ({ params }, { events }) => events.deleteModel(params.name),
  }),
  route({
    operation: 'ListDetectors', method: 'GET', path: '/events/detectors', tag: 'events',
    summary: 'Detectors (one per model and key value): state, variables and timers.',
    query: z.strictObject({ model: modelName.optional() }),
    response: z.object({ detectors: z.array(detector) }),
    handle: async ({ query }, { events }) => ({
      detectors: (await events.detectors(query.model)).map((d) => ({ ...d, timers: Object.entries(d.timers).map(([timerName, t]) => ({ timerName, ...t })) })),
    }),
  }),
  route({
    operation: 'BatchPutMessage', method: 'POST', path: '/events/inputs/{input}', tag: 'events',
    summary: "Sends a message to an input: the detector of its key value in every model taking the input evaluates it. A message lacking one of the input's attributes reaches no model.",
    params: z.strictObject({ input: identifier('an input name') }),
    body: z.record(z.string(), z.unknown()).describe('the message'),
    response: z.object({
      results: z.array(z.object({ model: z.string(), key: z.string(), state: z.string().describe('the state after the message'), failures: z.array(z.string()).optional().describe('actions that failed') })),
    }),
    handle: async ({ params, body }, { events }) => ({ results: await events.sendInput(params.input, body) }),
  }),
  route({
    operation: 'ListAlarms', method: 'GET', path: '/alarms', tag: 'events', summary: 'Alarms, optionally in one state.',
    query: z.strictObject({ state: z.enum(alarmStates).optional() }),
    response: z.object({ alarms: z.array(alarm) }),
    handle: async ({ query }, { events }) => ({ alarms: await events.alarms.list(query.state) }),
  }),
  route({
    operation: 'AcknowledgeAlarm', method: 'POST', path: '/alarms/{model}/{key}/{name}/acknowledge', tag: 'events',
    summary: 'Acknowledges an alarm: ACTIVE becomes ACKNOWLEDGED, LATCHED becomes NORMAL; 409 for a NORMAL alarm.',
    params: alarmParams,
    body: z.strictObject({ note: z.string().max(1024).optional() }).optional(),
    response: alarm,
    handle: async ({ params, body }, { events }) => {
      try {
        const acknowledged = await events.alarms.acknowledge(params, body?.note);
        if (acknowledged === undefined) throw notFound(`alarm ${params.name} of ${params.model}/${params.key}`);
        return acknowledged;
      } catch (error) {
        if (error instanceof AlarmNotRaised) return new Reply(409, { error: 'InvalidStateException', message: error.message });
        throw error;
      }
    },
  }),
  route({
    operation: 'ListAlarmHistory', method: 'GET', path: '/alarms/{model}/{key}/{name}/history', tag: 'events', summary: "Every change of an alarm, oldest first.",
    params: alarmParams,
    response: z.object({ history: z.array(alarm) }),
    handle: async ({ params }, { events }) => {
      const history = await events.alarms.history(params);
      if (history.length === 0) throw notFound(`alarm ${params.name} of ${params.model}/${params.key}`);
      return { history };
    },
  }),
];
