// The jobs service's MQTT binding: which topics are requests, malformed job ids, and the limit of
// requests in flight per connection.
import { describe, expect, it } from 'vitest';
import { topicMatches, type BusHandler, type MessageBus } from '../bus.js';
import type { DeviceJobsApi, JobsAnswer } from './device-api.js';
import { bindJobsService, MAX_IN_FLIGHT_PER_CONNECTION, parseJobsTopic } from './mqtt.js';

describe('jobs MQTT binding', () => {
  it('parses request topics and nothing else', () => {
    expect(parseJobsTopic('$aws/things/lamp/jobs/get')).toEqual({ thingName: 'lamp', operation: 'get' });
    expect(parseJobsTopic('$aws/things/lamp/jobs/start-next')).toEqual({ thingName: 'lamp', operation: 'start-next' });
    expect(parseJobsTopic('$aws/things/lamp/jobs/$next/get')).toEqual({ thingName: 'lamp', operation: 'describe', jobId: '$next' });
    expect(parseJobsTopic('$aws/things/lamp/jobs/j-1/update')).toEqual({ thingName: 'lamp', operation: 'update', jobId: 'j-1' });
    expect(parseJobsTopic('$aws/things/lamp/jobs/j.1/update')).toBe('invalid');
    for (const topic of ['$aws/things/lamp/jobs/notify', '$aws/things/lamp/jobs/get/accepted', '$aws/things/lamp/jobs/j1/update/rejected', 'things/lamp/jobs/get']) {
      expect(parseJobsTopic(topic)).toBeUndefined();
    }
  });

  it('answers InvalidTopic for a malformed job id, and RequestThrottled beyond 10 requests in flight on one connection', async () => {
    const subscriptions: { filter: string; handler: BusHandler }[] = [];
    const sent: { topic: string; body: { code?: string } }[] = [];
    const bus: MessageBus = {
      subscribe: (filter, handler) => void subscriptions.push({ filter, handler }),
      publish: async (topic, payload) => void sent.push({ topic, body: JSON.parse(payload.toString()) }),
    };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The device API held until the gate opens, so requests stay in flight.
    const api = { handle: async (): Promise<JobsAnswer> => (await gate, { accepted: true, body: { timestamp: 1 } }) } as unknown as DeviceJobsApi;
    bindJobsService(bus, api, (e) => { throw e; });
    const deliver = (topic: string, sessionId: string) => {
      for (const s of subscriptions) if (topicMatches(s.filter, topic)) s.handler(topic, Buffer.from('{}'), { clientId: 'lamp', sessionId });
    };
    deliver('$aws/things/lamp/jobs/bad!id/get', 's1');
    for (let i = 0; i < MAX_IN_FLIGHT_PER_CONNECTION + 2; i++) deliver('$aws/things/lamp/jobs/get', 's1');
    deliver('$aws/things/lamp/jobs/get', 's2'); // another connection has its own budget
    await new Promise((r) => setImmediate(r));
    expect(sent.map((m) => [m.topic, m.body.code])).toEqual([
      ['$aws/things/lamp/jobs/bad!id/get/rejected', 'InvalidTopic'],
      ['$aws/things/lamp/jobs/get/rejected', 'RequestThrottled'],
      ['$aws/things/lamp/jobs/get/rejected', 'RequestThrottled'],
    ]);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.filter((m) => m.topic.endsWith('/get/accepted'))).toHaveLength(MAX_IN_FLIGHT_PER_CONNECTION + 1);
    deliver('$aws/things/lamp/jobs/get', 's1'); // the budget is back once answered
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.at(-1)!.topic).toBe('$aws/things/lamp/jobs/get/accepted');
  });
});
