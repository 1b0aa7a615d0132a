/**
 * FOR TESTS ONLY: the service side of Device Defender's device metrics topics, written from the
 * AWS IoT developer guide, so the reporter is tested against AWS's contract rather than against
 * itself. It reads reports on `$aws/things/{thing}/defender/metrics/{json|cbor}` and answers on
 * `/accepted` or `/rejected` in the same format: `{thingName, reportId, status, timestamp}`,
 * plus `statusDetails: {ErrorCode, ErrorMessage}` when rejected. It rejects a report without
 * `hed.rid` and `hed.v` "1.0", one with neither `met` nor `cmet`, and a report id it has seen
 * for that thing. Engine-neutral, like the router it runs on.
 */
import { utf8Decode } from '../bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../cbor/index.js';
import type { MqttConnection } from '../mqtt/connection.js';

export class DefenderResponder {
  /** Every report received, decoded, in order. */
  readonly reports: { format: string; document: any }[] = [];
  private readonly seen: { [key: string]: boolean } = {};

  constructor(
    private readonly connection: MqttConnection,
    /** Epoch seconds for answers. */
    private readonly now: () => number = () => 1763812400,
  ) {
    connection.subscribe('$aws/things/+/defender/metrics/+', (message) => this.onReport(message.topic, message.payload), { qos: 1 });
  }

  private onReport(topic: string, payload: Uint8Array): void {
    const levels = topic.split('/');
    const thingName = levels[2]!;
    const format = levels[5]!;
    let document: any;
    try {
      document = format === 'cbor' ? decodeCbor(payload) : JSON.parse(utf8Decode(payload));
    } catch (_) {
      document = undefined;
    }
    this.reports.push({ format, document });
    const header = document && document.hed;
    const reportId = header ? header.rid : undefined;
    let problem: string | undefined;
    if (typeof reportId !== 'number' || header.v !== '1.0') problem = 'Missing or invalid header';
    else if (!document.met && !document.cmet) problem = 'Report has no metrics';
    else if (this.seen[`${thingName}/${reportId}`]) problem = 'Duplicate report id';
    if (typeof reportId === 'number') this.seen[`${thingName}/${reportId}`] = true;
    const answer: { [key: string]: unknown } = { thingName, reportId, status: problem ? 'REJECTED' : 'ACCEPTED' };
    if (problem) answer.statusDetails = { ErrorCode: 'InvalidPayload', ErrorMessage: problem };
    answer.timestamp = this.now();
    const body = format === 'cbor' ? encodeCbor(answer as CborValue) : JSON.stringify(answer);
    this.connection.publish(`${topic}/${problem ? 'rejected' : 'accepted'}`, body, { qos: 1 });
  }
}
