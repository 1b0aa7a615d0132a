/**
 * MQTT 3.1.1 control packets (OASIS standard, 2014) as plain objects: what the codec encodes and
 * decodes. QoS 2 is not part of mote's MQTT (AWS IoT grants at most QoS 1), so PUBREC, PUBREL and
 * PUBCOMP are not represented: decoding one is a protocol error.
 */
export type QoS = 0 | 1;

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface ConnectPacket {
  type: 'connect';
  clientId: string;
  clean: boolean;
  /** Seconds; 0 turns keepalive off. */
  keepAlive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
}

export interface ConnackPacket {
  type: 'connack';
  sessionPresent: boolean;
  /** 0 accepted; 1-5 refused (see CONNACK_REASONS). */
  returnCode: number;
}

export interface PublishPacket {
  type: 'publish';
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** QoS 1 only. */
  packetId?: number;
}

export interface PubackPacket {
  type: 'puback';
  packetId: number;
}

export interface SubscribePacket {
  type: 'subscribe';
  packetId: number;
  subscriptions: { filter: string; qos: QoS }[];
}

export interface SubackPacket {
  type: 'suback';
  packetId: number;
  /** Per filter: the granted QoS (0, 1, 2) or 0x80 for failure. */
  granted: number[];
}

export interface UnsubscribePacket {
  type: 'unsubscribe';
  packetId: number;
  filters: string[];
}

export interface UnsubackPacket {
  type: 'unsuback';
  packetId: number;
}

export interface EmptyPacket {
  type: 'pingreq' | 'pingresp' | 'disconnect';
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | EmptyPacket;

/** Control packet type numbers (the fixed header's high nibble), [MQTT-2.2.1]. */
export const TYPE_NUMBERS: { [type: string]: number } = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
};

/** Why a broker refused a connection: CONNACK return codes 1-5 [MQTT-3.2.2.3]. */
export const CONNACK_REASONS: { [code: number]: string } = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** Largest remaining length the 4-byte variable length can carry [MQTT-2.2.3]. */
export const MAX_REMAINING_LENGTH = 268435455;
