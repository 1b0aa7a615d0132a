/**
 * The Jobs device API on MQTT: requests on `$aws/things/{thing}/jobs/get`, `.../start-next`,
 * `.../{jobId}/get` and `.../{jobId}/update`, answered on the request topic plus `/accepted` or
 * `/rejected`. At most 10 requests per connection are in flight; more get RequestThrottled.
 */
import type { MessageBus } from '../bus.js';
import type { DeviceJobsApi, JobsAnswer, JobsRequest } from './device-api.js';

export const MAX_IN_FLIGHT_PER_CONNECTION = 10;

/** The topic filters the service subscribes to. */
export const jobsRequestFilters = ['$aws/things/+/jobs/get', '$aws/things/+/jobs/start-next', '$aws/things/+/jobs/+/get', '$aws/things/+/jobs/+/update'] as const;

const topic = /^\$aws\/things\/([^/]+)\/jobs\/(?:(get|start-next)|([^/]+)\/(get|update))$/;

/** The request a topic carries; a malformed job id is `invalid`; undefined if it is no jobs request topic. */
export function parseJobsTopic(name: string): JobsRequest | 'invalid' | undefined {
  const match = topic.exec(name);
  if (!match) return undefined;
  const [, thingName, listOrNext, jobId, verb] = match;
  if (listOrNext !== undefined) return { thingName: thingName!, operation: listOrNext as 'get' | 'start-next' };
  if (jobId !== '$next' && !/^[a-zA-Z0-9_-]{1,64}$/.test(jobId!)) return 'invalid';
  return { thingName: thingName!, operation: verb === 'get' ? 'describe' : 'update', jobId: jobId! };
}

export function bindJobsService(bus: MessageBus, api: DeviceJobsApi, onError: (error: Error) => void): void {
  const inFlight = new Map<string, number>();
  const handle = async (name: string, payload: Buffer, session: string | undefined) => {
    const request = parseJobsTopic(name);
    if (request === undefined) return;
    const reply = (answer: JobsAnswer) => bus.publish(`${name}/${answer.accepted ? 'accepted' : 'rejected'}`, JSON.stringify(answer.body), { qos: 1 });
    const refuse = (code: string, message: string) => reply({ accepted: false, body: { code, message, timestamp: Math.floor(Date.now() / 1000) } });
    if (request === 'invalid') return refuse('InvalidTopic', `Invalid topic: ${name}`);
    if (session !== undefined && (inFlight.get(session) ?? 0) >= MAX_IN_FLIGHT_PER_CONNECTION) return refuse('RequestThrottled', 'Too many requests in flight');
    if (session !== undefined) inFlight.set(session, (inFlight.get(session) ?? 0) + 1);
    try {
      await reply(await api.handle(request, payload));
    } finally {
      if (session !== undefined) {
        const left = inFlight.get(session)! - 1;
        if (left === 0) inFlight.delete(session);
        else inFlight.set(session, left);
      }
    }
  };
  for (const filter of jobsRequestFilters) {
    bus.subscribe(filter, (name, payload, origin) => void handle(name, payload, origin?.sessionId).catch(onError));
  }
}
