import { describe, expect, it } from 'vitest';
import { defaultPolicy } from './default-policy.js';
import { policyDocument } from './document.js';
import { isAllowed, type PolicyContext } from './evaluate.js';

const lamp: PolicyContext = { clientId: 'lamp-1', thing: { thingName: 'lamp-1', thingTypeName: 'lamp', attributes: { room: 'hall' } } };
const doc = (statements: unknown[]) => policyDocument.parse({ Version: '2012-10-17', Statement: statements });

describe('policy evaluation', () => {
  it('confines a device to its own topics with the default policy', () => {
    expect(isAllowed([defaultPolicy], 'iot:Connect', 'lamp-1', lamp)).toBe(true);
    expect(isAllowed([defaultPolicy], 'iot:Connect', 'lamp-2', lamp)).toBe(false);
    expect(isAllowed([defaultPolicy], 'iot:Publish', '$aws/things/lamp-1/shadow/update', lamp)).toBe(true);
    expect(isAllowed([defaultPolicy], 'iot:Publish', '$aws/things/lamp-2/shadow/update', lamp)).toBe(false);
    expect(isAllowed([defaultPolicy], 'iot:Subscribe', 'things/lamp-1/#', lamp)).toBe(true);
    expect(isAllowed([defaultPolicy], 'iot:Subscribe', 'things/+/#', lamp)).toBe(false);
    expect(isAllowed([defaultPolicy], 'iot:Receive', 'things/lamp-1/cmd', lamp)).toBe(true);
    // Without an attached thing the thing variables have no value: nothing is allowed.
    expect(isAllowed([defaultPolicy], 'iot:Connect', 'lamp-1', { clientId: 'lamp-1' })).toBe(false);
  });

  it('lets an explicit Deny win over any Allow, and denies by default', () => {
    const docs = [doc([{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }]), doc([{ Effect: 'Deny', Action: ['iot:Publish'], Resource: ['arn:aws:iot:eu-west-1:123456789012:topic/secret/*'] }])];
    expect(isAllowed(docs, 'iot:Publish', 'public/x', lamp)).toBe(true);
    expect(isAllowed(docs, 'iot:Publish', 'secret/x', lamp)).toBe(false);
    expect(isAllowed([], 'iot:Publish', 'public/x', lamp)).toBe(false);
  });

  it('matches * and ? as wildcards, + and # literally, and variables literally', () => {
    const docs = [doc([{ Effect: 'Allow', Action: 'iot:Subscribe', Resource: ['topicfilter/a/+/b', 'topicfilter/room/${iot:Connection.Thing.Attributes[room]}/?'] }])];
    expect(isAllowed(docs, 'iot:Subscribe', 'a/+/b', lamp)).toBe(true);
    expect(isAllowed(docs, 'iot:Subscribe', 'a/x/b', lamp)).toBe(false);
    expect(isAllowed(docs, 'iot:Subscribe', 'room/hall/7', lamp)).toBe(true);
    expect(isAllowed(docs, 'iot:Subscribe', 'room/hall/77', lamp)).toBe(false);
    expect(isAllowed(docs, 'iot:Subscribe', 'room/hall/7', { clientId: 'x', thing: { thingName: 'x', attributes: {} } })).toBe(false);
    const typed = [doc([{ Effect: 'Allow', Action: 'iot:Publish', Resource: 'topic/${iot:Connection.Thing.ThingTypeName}/${iot:ClientId}' }])];
    expect(isAllowed(typed, 'iot:Publish', 'lamp/lamp-1', lamp)).toBe(true);
    const star = { clientId: 'a*', thing: { thingName: 'a*', attributes: {} } };
    const own = [doc([{ Effect: 'Allow', Action: 'iot:Publish', Resource: 'topic/t/${iot:ClientId}' }])];
    expect(isAllowed(own, 'iot:Publish', 't/abc', star)).toBe(false); // a variable's '*' is not a wildcard
  });

  it('refuses malformed documents with the reason', () => {
    const result = policyDocument.safeParse({ Statement: [{ Effect: 'Maybe', Action: 'iot:Publish', Resource: 'queue/x' }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['Statement.0.Effect', 'Statement.0.Resource']);
  });
});
