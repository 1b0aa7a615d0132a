/**
 * MqttClient: an MQTT 3.1.1 client for the device, over the hardware layer's TCP socket.
 *
 * - CONNECT with a clean or persistent session, user name and password, and a last will.
 * - QoS 0 and 1. QoS 1 messages wait in the Outbox (bounded, oldest dropped and counted; kept in
 *   Storage across a reset when one is given) until the broker's PUBACK; after a reconnect the
 *   unacknowledged ones are sent again with DUP set [MQTT-4.4.0-1].
 * - Subscriptions are remembered and sent again after every reconnect whose CONNACK has no session;
 *   handlers get every message whose topic matches their filter.
 * - Keepalive: a PINGREQ when nothing was sent for `keepAlive` seconds; no packet back within
 *   `pingTimeoutMs` means a dead link: the socket is closed and the client reconnects.
 * - Reconnects with exponential backoff and jitter (backoff.ts), until stop().
 *
 * Everything here runs in host context (socket and timer callbacks) and never blocks; tasks use
 * the blocking forms in ../blocking.ts. Calls made while offline take effect once connected.
 */
import type { EngineTimer } from '../../../firmware/kernel/clock.js';
import type { Storage } from '../../../firmware/hal/contract/storage.js';
import type { TCP, TCPClass, TLSOptions } from '../../../firmware/hal/contract/tcp.js';
import { toBytes } from '../../bytes.js';
import { CONNACK_REASONS, PacketReader, encodePacket, type Packet, type PublishPacket, type Will } from '../codec/index.js';
import type { Done, Message, MessageHandler, MqttConnection, Payload, PublishOptions, QoS } from '../connection.js';
import { topicFilterProblem, topicMatches, topicNameProblem } from '../topics.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { Outbox, type OutgoingMessage } from './outbox.js';

export type MqttStatus = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export interface MqttClientOptions {
  clientId: string;
  /** The HAL's TCP class and where the broker is. */
  transport: { TCP: TCPClass; host: string; port: number; tls?: TLSOptions };
  /** The engine's timers (the HAL's `engineTimer`). */
  timer: EngineTimer;
  /** Default true. false keeps the session (subscriptions, queued QoS 1) on the broker. */
  clean?: boolean;
  /** Seconds; default 60; 0 turns keepalive off. */
  keepAlive?: number;
  /** How long to wait for any packet after a PINGREQ; default half the keepalive, at most 10 s. */
  pingTimeoutMs?: number;
  /** How long to wait for CONNACK after connecting; default 10 s. */
  connectTimeoutMs?: number;
  username?: string;
  password?: Payload;
  will?: { topic: string; payload: Payload; qos?: QoS; retain?: boolean };
  /** Reconnect delays; default 1 s doubling to 60 s, half jitter. */
  backoff?: BackoffOptions;
  /** QoS 1 messages that may wait unacknowledged; default 100. */
  maxQueued?: number;
  /** QoS 1 messages sent but not acknowledged at once; default 10. */
  maxInflight?: number;
  /** Keeps waiting QoS 1 messages across a reset. */
  storage?: Storage;
  /** Largest packet accepted from the broker, in bytes; default 128 KiB plus headers. */
  maxPacketBytes?: number;
  random?: () => number;
  /** Status changes, with the reason for a disconnection. */
  onStatus?: (status: MqttStatus, detail?: string) => void;
  /** Errors that are not a call's own (a handler that threw). */
  onError?: (error: Error) => void;
}

export interface MqttStats {
  /** Packets written and read. */
  sent: number;
  received: number;
  /** QoS 1 messages waiting for a PUBACK (in flight or queued). */
  queued: number;
  /** QoS 1 messages dropped because the outbox was full. */
  dropped: number;
  /** QoS 1 messages kept in RAM only, too large for one Storage value. */
  unpersisted: number;
  /** QoS 1 messages restored from Storage at start. */
  restored: number;
  /** Successful connections after the first. */
  reconnects: number;
}

interface Subscription {
  qos: QoS;
  handlers: MessageHandler[];
  /** Granted by the broker on the current connection. */
  granted: boolean;
  /** Granted once in a session the broker keeps (persistent sessions only). */
  inSession: boolean;
  /** `done` callbacks waiting for the SUBACK. */
  waiting: Done[];
}

/** A SUBSCRIBE or UNSUBSCRIBE waiting for its acknowledgement. */
interface Pending {
  kind: 'subscribe' | 'unsubscribe';
  filters: string[];
  done?: Done;
}

export class MqttClient implements MqttConnection {
  readonly clientId: string;
  private status: MqttStatus = 'disconnected';
  private socket: TCP | undefined;
  private reader: PacketReader | undefined;
  private readonly outbox: Outbox;
  private readonly subscriptions: { [filter: string]: Subscription } = {};
  private readonly pending: { [packetId: number]: Pending } = {};
  private nextPacketId = 1;
  private readonly backoff: Backoff;
  private readonly keepAliveMs: number;
  private readonly pingTimeoutMs: number;
  private keepAliveTimer: unknown = null;
  private pingTimer: unknown = null;
  private connectTimer: unknown = null;
  private retryTimer: unknown = null;
  private lastSent = 0;
  private everConnected = false;
  private readonly counts = { sent: 0, received: 0, reconnects: 0 };

  constructor(private readonly options: MqttClientOptions) {
    if (typeof options.clientId !== 'string' || options.clientId.length === 0 || options.clientId.length > 128) {
      throw new TypeError('MqttClient: clientId must be 1-128 characters');
    }
    this.clientId = options.clientId;
    const keepAlive = options.keepAlive ?? 60;
    this.keepAliveMs = keepAlive * 1000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? Math.min(10000, this.keepAliveMs / 2);
    this.backoff = new Backoff(options.backoff || {}, options.random || Math.random);
    this.outbox = new Outbox(options.maxQueued ?? 100, options.storage);
  }

  get connected(): boolean {
    return this.status === 'connected';
  }

  stats(): MqttStats {
    return {
      sent: this.counts.sent,
      received: this.counts.received,
      queued: this.outbox.messages.length,
      dropped: this.outbox.dropped,
      unpersisted: this.outbox.unpersisted,
      restored: this.outbox.restored,
      reconnects: this.counts.reconnects,
    };
  }

  /** Starts connecting (and reconnecting whenever the connection is lost). */
  start(): void {
    if (this.status === 'stopped') throw new Error('MqttClient: stopped; make a new client');
    if (this.socket || this.retryTimer !== null) return;
    this.open();
  }

  /** Sends DISCONNECT (the broker then drops the will), closes, and stops reconnecting. */
  stop(): void {
    if (this.status === 'stopped') return;
    if (this.status === 'connected') this.send({ type: 'disconnect' });
    this.clearTimers();
    if (this.retryTimer !== null) this.options.timer.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.closeSocket();
    this.setStatus('stopped', 'stopped');
  }

  // ------------------------------------------------------------------ the MqttConnection calls

  publish(topic: string, payload: Payload, options: PublishOptions = {}, done?: Done): void {
    const problem = topicNameProblem(topic);
    if (problem) return fail(done, problem);
    const qos = options.qos ?? 0;
    if (qos !== 0 && qos !== 1) return fail(done, `QoS ${String(qos)} is not supported (0 or 1)`);
    const bytes = toBytes(payload);
    const retain = options.retain === true;
    if (qos === 0) {
      if (!this.connected) return fail(done, 'not connected (QoS 0 messages are not queued)');
      this.send({ type: 'publish', topic, payload: bytes, qos: 0, retain, dup: false });
      if (done) done();
      return;
    }
    this.outbox.add(topic, bytes, retain, done);
    this.flushOutbox();
  }

  subscribe(filter: string, handler: MessageHandler, options: { qos?: QoS } = {}, done?: Done): void {
    const problem = topicFilterProblem(filter);
    if (problem) return fail(done, problem);
    if (typeof handler !== 'function') return fail(done, 'subscribe needs a handler function');
    const qos = options.qos ?? 1;
    const existing = this.subscriptions[filter];
    if (existing && existing.qos >= qos) {
      existing.handlers.push(handler);
      if (existing.granted) {
        if (done) done();
      } else if (done) existing.waiting.push(done);
      return;
    }
    const sub = existing || { qos, handlers: [], granted: false, inSession: false, waiting: [] };
    sub.qos = qos;
    sub.granted = false;
    sub.inSession = false;
    sub.handlers.push(handler);
    if (done) sub.waiting.push(done);
    this.subscriptions[filter] = sub;
    // After an UNSUBSCRIBE of the same filter, wait for its UNSUBACK: a broker that handles the two
    // at once (aedes does) may apply the UNSUBSCRIBE last and drop the new subscription it granted.
    if (this.connected && !this.unsubscribing(filter)) this.sendSubscribe([filter]);
  }

  private unsubscribing(filter: string): boolean {
    for (const id in this.pending) {
      const p = this.pending[id]!;
      if (p.kind === 'unsubscribe' && p.filters.indexOf(filter) >= 0) return true;
    }
    return false;
  }

  unsubscribe(filter: string, handler?: MessageHandler, done?: Done): void {
    const sub = this.subscriptions[filter];
    // Nothing to undo (never subscribed, or the broker refused it): done, as a broker answers.
    if (!sub) {
      if (done) done();
      return;
    }
    if (handler) {
      const at = sub.handlers.indexOf(handler);
      if (at >= 0) sub.handlers.splice(at, 1);
      if (sub.handlers.length > 0) {
        if (done) done();
        return;
      }
    }
    delete this.subscriptions[filter];
    if (!this.connected) {
      if (done) done();
      return;
    }
    const packetId = this.allocatePacketId();
    this.pending[packetId] = { kind: 'unsubscribe', filters: [filter], done };
    this.send({ type: 'unsubscribe', packetId, filters: [filter] });
  }

  // ------------------------------------------------------------------ connection life

  private open(): void {
    this.setStatus('connecting');
    this.reader = new PacketReader(this.options.maxPacketBytes);
    const t = this.options.transport;
    let socket: TCP | undefined;
    try {
      socket = new t.TCP({
        host: t.host,
        port: t.port,
        tls: t.tls,
        onWritable: () => {
          if (this.socket === socket && this.status === 'connecting' && this.connectTimer === null) this.sendConnect();
        },
        onReadable: () => {
          if (this.socket === socket) this.onData(socket!.read());
        },
        onError: (error: Error) => {
          if (this.socket === socket) this.lost(error.message);
        },
      });
    } catch (error) {
      this.socket = undefined;
      this.lost(`cannot open a socket: ${(error as Error).message}`);
      return;
    }
    this.socket = socket;
  }

  private sendConnect(): void {
    const o = this.options;
    const will: Will | undefined = o.will && { topic: o.will.topic, payload: toBytes(o.will.payload), qos: o.will.qos ?? 0, retain: o.will.retain === true };
    this.send({
      type: 'connect',
      clientId: this.clientId,
      clean: o.clean !== false,
      keepAlive: this.keepAliveMs / 1000,
      username: o.username,
      password: o.password === undefined ? undefined : toBytes(o.password),
      will,
    });
    this.connectTimer = o.timer.setTimeout(() => {
      this.connectTimer = null;
      this.lost(`no CONNACK within ${o.connectTimeoutMs ?? 10000} ms`);
    }, o.connectTimeoutMs ?? 10000);
  }

  /** The connection is gone (or never came): close it and schedule the next attempt. */
  private lost(reason: string): void {
    if (this.status === 'stopped') return;
    this.clearTimers();
    this.closeSocket();
    for (const filter in this.subscriptions) this.subscriptions[filter]!.granted = false;
    for (const id in this.pending) {
      const p = this.pending[id]!;
      delete this.pending[id];
      // An UNSUBSCRIBE cut off by the loss is done: the next session will not carry it.
      if (p.kind === 'unsubscribe' && p.done) p.done();
    }
    this.setStatus('disconnected', reason);
    const delay = this.backoff.next();
    this.retryTimer = this.options.timer.setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) socket.close();
  }

  private clearTimers(): void {
    const timer = this.options.timer;
    for (const handle of [this.keepAliveTimer, this.pingTimer, this.connectTimer]) if (handle !== null) timer.clearTimeout(handle);
    this.keepAliveTimer = this.pingTimer = this.connectTimer = null;
  }

  private setStatus(status: MqttStatus, detail?: string): void {
    this.status = status;
    if (this.options.onStatus) this.options.onStatus(status, detail);
  }

  // ------------------------------------------------------------------ packets in

  private onData(bytes: Uint8Array): void {
    let packets: Packet[];
    try {
      packets = this.reader!.push(bytes);
    } catch (error) {
      this.lost(`protocol error from the broker: ${(error as Error).message}`);
      return;
    }
    for (const packet of packets) {
      if (!this.socket) return; // a handler stopped the client or the link was lost
      this.counts.received++;
      this.heardFromBroker();
      this.handle(packet);
    }
  }

  private handle(packet: Packet): void {
    switch (packet.type) {
      case 'connack':
        return this.onConnack(packet.sessionPresent, packet.returnCode);
      case 'publish':
        return this.onPublish(packet);
      case 'puback': {
        const message = this.outbox.byPacketId(packet.packetId);
        if (message) {
          this.outbox.remove(message);
          if (message.done) message.done();
          this.flushOutbox();
        }
        return;
      }
      case 'suback':
        return this.onSuback(packet.packetId, packet.granted);
      case 'unsuback': {
        const p = this.pending[packet.packetId];
        delete this.pending[packet.packetId];
        if (!p) return;
        // A subscription asked for while this UNSUBSCRIBE was on its way goes now.
        const again = p.filters.filter((f) => this.subscriptions[f] !== undefined && !this.unsubscribing(f));
        if (again.length > 0) this.sendSubscribe(again);
        if (p.done) p.done();
        return;
      }
      case 'pingresp':
        return;
      default:
        // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ and DISCONNECT only go to a broker.
        this.lost(`protocol error from the broker: a client does not receive ${packet.type.toUpperCase()}`);
    }
  }

  private onConnack(sessionPresent: boolean, returnCode: number): void {
    if (this.status !== 'connecting') return this.lost('protocol error from the broker: a second CONNACK [MQTT-3.2.0-1]');
    if (this.connectTimer !== null) this.options.timer.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (returnCode !== 0) return this.lost(`connection refused: ${CONNACK_REASONS[returnCode] || `code ${returnCode}`}`);
    this.backoff.reset();
    if (this.everConnected) this.counts.reconnects++;
    this.everConnected = true;
    this.setStatus('connected');
    this.armKeepAlive();
    // The broker's session keeps the subscriptions it granted; any other is ours to send again.
    const keep = sessionPresent && this.options.clean === false;
    const resend: string[] = [];
    for (const filter in this.subscriptions) {
      const sub = this.subscriptions[filter]!;
      if (keep && sub.inSession) this.granted(sub);
      else resend.push(filter);
    }
    if (resend.length > 0) this.sendSubscribe(resend);
    // Whatever was sent and not acknowledged goes again, marked DUP [MQTT-4.4.0-1].
    for (const message of this.outbox.messages) if (message.packetId !== undefined) this.sendPublish(message, true);
    this.flushOutbox();
  }

  private onPublish(packet: PublishPacket): void {
    const message: Message = { topic: packet.topic, payload: packet.payload, qos: packet.qos, retain: packet.retain };
    for (const filter in this.subscriptions) {
      if (!topicMatches(filter, packet.topic)) continue;
      for (const handler of this.subscriptions[filter]!.handlers.slice()) {
        try {
          handler(message);
        } catch (error) {
          if (this.options.onError) this.options.onError(error as Error);
        }
      }
    }
    // Acknowledged after the handlers ran: a reset before this gets the message again.
    if (packet.qos === 1 && this.socket) this.send({ type: 'puback', packetId: packet.packetId! });
  }

  private onSuback(packetId: number, codes: number[]): void {
    const p = this.pending[packetId];
    delete this.pending[packetId];
    if (!p) return;
    for (let i = 0; i < p.filters.length; i++) {
      const filter = p.filters[i]!;
      const sub = this.subscriptions[filter];
      if (!sub) continue;
      if (codes[i] === 0x80 || codes[i] === undefined) {
        delete this.subscriptions[filter];
        const error = new Error(`subscription to "${filter}" refused by the broker`);
        for (const done of sub.waiting) done(error);
      } else this.granted(sub);
    }
  }

  private granted(sub: Subscription): void {
    sub.granted = true;
    sub.inSession = this.options.clean === false;
    const waiting = sub.waiting;
    sub.waiting = [];
    for (const done of waiting) done();
  }

  // ------------------------------------------------------------------ packets out

  private send(packet: Packet): void {
    const socket = this.socket;
    if (!socket) return;
    let bytes: Uint8Array;
    try {
      bytes = encodePacket(packet);
    } catch (error) {
      // Only reachable with bad input the calls could not check (a will topic, a password).
      this.lost(`cannot encode ${packet.type.toUpperCase()}: ${(error as Error).message}`);
      return;
    }
    socket.write(bytes);
    this.counts.sent++;
    this.lastSent = this.options.timer.now();
  }

  private sendSubscribe(filters: string[]): void {
    const packetId = this.allocatePacketId();
    this.pending[packetId] = { kind: 'subscribe', filters };
    this.send({ type: 'subscribe', packetId, subscriptions: filters.map((filter) => ({ filter, qos: this.subscriptions[filter]!.qos })) });
  }

  private sendPublish(message: OutgoingMessage, dup: boolean): void {
    this.send({ type: 'publish', topic: message.topic, payload: message.payload, qos: 1, retain: message.retain, dup, packetId: message.packetId });
  }

  /** Sends queued QoS 1 messages, oldest first, while fewer than maxInflight are unacknowledged. */
  private flushOutbox(): void {
    if (!this.connected) return;
    const max = this.options.maxInflight ?? 10;
    let inflight = 0;
    for (const message of this.outbox.messages) {
      if (message.packetId !== undefined) inflight++;
    }
    for (const message of this.outbox.messages) {
      if (inflight >= max) return;
      if (message.packetId !== undefined) continue;
      message.packetId = this.allocatePacketId();
      inflight++;
      this.sendPublish(message, false);
    }
  }

  private allocatePacketId(): number {
    for (let tries = 0; tries < 65535; tries++) {
      const id = this.nextPacketId;
      this.nextPacketId = id === 65535 ? 1 : id + 1;
      if (!this.pending[id] && !this.outbox.byPacketId(id)) return id;
    }
    throw new Error('MqttClient: every packet id is in use');
  }

  // ------------------------------------------------------------------ keepalive

  private armKeepAlive(): void {
    if (this.keepAliveMs === 0) return;
    const timer = this.options.timer;
    if (this.keepAliveTimer !== null) timer.clearTimeout(this.keepAliveTimer);
    const wait = Math.max(0, this.lastSent + this.keepAliveMs - timer.now());
    this.keepAliveTimer = timer.setTimeout(() => {
      this.keepAliveTimer = null;
      if (!this.connected) return;
      if (timer.now() - this.lastSent >= this.keepAliveMs) {
        this.send({ type: 'pingreq' });
        if (this.pingTimer === null) {
          this.pingTimer = timer.setTimeout(() => {
            this.pingTimer = null;
            this.lost(`no answer to PINGREQ within ${this.pingTimeoutMs} ms: the link is dead`);
          }, this.pingTimeoutMs);
        }
      }
      this.armKeepAlive();
    }, wait);
  }

  private heardFromBroker(): void {
    if (this.pingTimer !== null) {
      this.options.timer.clearTimeout(this.pingTimer);
      this.pingTimer = null;
    }
  }
}

function fail(done: Done | undefined, message: string): void {
  const error = new Error(message);
  if (!done) throw error;
  done(error);
}
