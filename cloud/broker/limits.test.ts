import { describe, expect, it } from 'vitest';
import { mayPublishReserved, maySubscribe } from './limits.js';

describe('reserved topics', () => {
  it('lets devices publish the requests of the AWS services, and nothing the services answer on', () => {
    const allowed = [
      'things/t1/telemetry',
      '$aws/things/t1/shadow/update',
      '$aws/things/t1/shadow/name/cfg/get',
      '$aws/things/t1/jobs/get',
      '$aws/things/t1/jobs/start-next',
      '$aws/things/t1/jobs/job-7/update',
      '$aws/things/t1/jobs/$next/get',
      '$aws/things/t1/streams/ota-1/get/cbor',
      '$aws/things/t1/streams/ota-1/describe/json',
      '$aws/things/t1/defender/metrics/json',
      '$aws/rules/store_temp/things/t1/temp',
    ];
    const refused = [
      '$aws/things/t1/shadow/update/accepted',
      '$aws/things/t1/jobs/get/accepted',
      '$aws/things/t1/jobs/notify-next',
      '$aws/things/t1/jobs/job-7/update/rejected',
      '$aws/things/t1/streams/ota-1/data/cbor',
      '$aws/things/t1/defender/metrics/json/accepted',
      '$aws/events/presence/connected/t1',
      '$aws/rules/store_temp',
      '$SYS/broker',
      // mote's own bus topics, which the dashboard's live feed forwards: never from a device.
      '$mote/alarms',
      '$mote/defender/violations',
      '$aws/events/alarms/m/k',
    ];
    for (const topic of allowed) expect(mayPublishReserved(topic), topic).toBe(true);
    for (const topic of refused) expect(mayPublishReserved(topic), topic).toBe(false);
  });

  it('refuses subscriptions to Basic Ingest', () => {
    expect(maySubscribe('$aws/rules/#')).toBe(false);
    expect(maySubscribe('$aws/things/t1/jobs/notify-next')).toBe(true);
  });
});
