/**
 * The policy a principal gets when none is attached to it: the device connects only as its own
 * thing (client id = thing name, thing attached to its certificate or token) and uses only its
 * own topics: `things/<thing>/...` and its reserved `$aws/things/<thing>/...` topics (shadows,
 * jobs, streams).
 */
import type { PolicyDocument } from './document.js';

const thing = '${iot:Connection.Thing.ThingName}';

export const defaultPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['iot:Connect'], Resource: [`client/${thing}`] },
    { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: [`topic/$aws/things/${thing}/*`, `topic/things/${thing}/*`] },
    { Effect: 'Allow', Action: ['iot:Subscribe'], Resource: [`topicfilter/$aws/things/${thing}/*`, `topicfilter/things/${thing}/*`] },
  ],
};
