/** `mqtt` in `mote/sdk`: the MQTT 3.1.1 client, its blocking forms, topics and the codec. */
export { MqttClient, type MqttClientOptions, type MqttStats, type MqttStatus } from './client/client.js';
export { publish, subscribe, unsubscribe, inbox } from './blocking.js';
export { topicFilterProblem, topicMatches, topicNameProblem } from './topics.js';
export type { Done, Message, MessageHandler, MqttConnection, Payload, PublishOptions, QoS } from './connection.js';
