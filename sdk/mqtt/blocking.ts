/**
 * The blocking forms of the MQTT calls, for tasks: each starts the non-blocking call and blocks
 * the task until it completes or `ticksToWait` pass, returning an Outcome.
 *
 *   const sent = yield* publish(kernel, mqtt, 'dt/dev1/temp', '21.5', { qos: 1 }, 500);
 *   const inbound = inbox(kernel, mqtt, 'cmd/dev1/#', 8);    // a kernel Queue<Message>
 *   const message = yield* inbound.receive(MAX_DELAY);
 */
import type { Kernel } from '../../firmware/kernel/kernel.js';
import { Queue } from '../../firmware/kernel/queue.js';
import type { Op } from '../../firmware/kernel/task.js';
import { awaitDone, type Outcome } from '../wait.js';
import type { Done, Message, MessageHandler, MqttConnection, Payload, PublishOptions, QoS } from './connection.js';

export function* publish(kernel: Kernel, mqtt: MqttConnection, topic: string, payload: Payload, options: PublishOptions, ticksToWait: number): Op<Outcome<undefined>> {
  return yield* awaitDone(kernel, (done) => mqtt.publish(topic, payload, options, done), ticksToWait);
}

export function* subscribe(kernel: Kernel, mqtt: MqttConnection, filter: string, handler: MessageHandler, options: { qos?: QoS }, ticksToWait: number): Op<Outcome<undefined>> {
  return yield* awaitDone(kernel, (done) => mqtt.subscribe(filter, handler, options, done), ticksToWait);
}

export function* unsubscribe(kernel: Kernel, mqtt: MqttConnection, filter: string, handler: MessageHandler | undefined, ticksToWait: number): Op<Outcome<undefined>> {
  return yield* awaitDone(kernel, (done) => mqtt.unsubscribe(filter, handler, done), ticksToWait);
}

/**
 * Subscribes `filter` and returns a kernel queue its messages go into (from host context, through
 * the ISR-safe send). When the queue is full a message is dropped and counted in `dropped`.
 */
export function inbox(kernel: Kernel, mqtt: MqttConnection, filter: string, length: number, options: { qos?: QoS } = {}, done?: Done): Queue<Message> & { dropped: number } {
  const queue = new Queue<Message>(kernel, length, { name: `inbox ${filter}` }) as Queue<Message> & { dropped: number };
  queue.dropped = 0;
  mqtt.subscribe(
    filter,
    (message) => {
      if (!kernel.isr(() => queue.sendFromISR(message))) queue.dropped++;
    },
    options,
    done,
  );
  return queue;
}
