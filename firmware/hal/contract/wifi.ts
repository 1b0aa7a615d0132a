/**
 * WiFi: the ESP32's station (client) interface, joined to one access point.
 *
 * - `new WiFi({ ssid, password?, onChange? })` starts joining at once (status 'connecting').
 *   One station at a time: a second WiFi before the first is closed throws Error "WiFi: in use".
 * - `status`: 'connecting', then 'connected' once the access point has given an address (`ip`),
 *   or 'disconnected' with a `reason`:
 *   - 'wrong-password': the access point refused the password (the WPA handshake failed);
 *   - 'unreachable': the join failed otherwise (no such network in range, refused);
 *   - 'lost': a connected link dropped.
 *   A station does not rejoin by itself: close() it and make a new WiFi (with a backoff).
 * - `onChange(status)`, with `this` the WiFi, on every change of status. Host context.
 * - `close()` leaves the network; no onChange after it.
 */
export type WiFiStatus = 'disconnected' | 'connecting' | 'connected';
export type WiFiReason = 'wrong-password' | 'unreachable' | 'lost';

export interface WiFiOptions {
  ssid: string;
  password?: string;
  onChange?: (this: WiFi, status: WiFiStatus) => void;
}

export interface WiFi {
  readonly status: WiFiStatus;
  /** The address the access point gave, while connected. */
  readonly ip: string | undefined;
  /** Why the station is disconnected (undefined while connecting or connected, and after close()). */
  readonly reason: WiFiReason | undefined;
  close(): void;
}

export interface WiFiClass {
  new (options: WiFiOptions): WiFi;
}
