/**
 * The Wi-Fi station's state, shared by every port: each port feeds its engine's events in
 * (`joined`, `dropped`) and gets the contract's status, address, reason and onChange calls, the
 * same on every engine. One station at a time, as the chip has one station interface.
 * Engine-neutral.
 */
import type { WiFi, WiFiOptions, WiFiReason, WiFiStatus } from './contract/wifi.js';
import { checkWiFiOptions } from './validate.js';

let active: Station | undefined;

/** A simulated chip reset: the station interface is free again (the sim port's createDevice). */
export function resetStation(): void {
  active = undefined;
}

export abstract class Station implements WiFi {
  status: WiFiStatus = 'connecting';
  ip: string | undefined;
  reason: WiFiReason | undefined;
  protected readonly options: WiFiOptions;
  private closed = false;

  constructor(options: WiFiOptions) {
    this.options = checkWiFiOptions(options);
    if (active) throw new Error('WiFi: in use');
    active = this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    active = undefined;
    this.status = 'disconnected';
    this.ip = undefined;
    this.reason = undefined;
    this.leave();
  }

  /** Leaves the network on the engine (no events are reported after close()). */
  protected abstract leave(): void;

  /** The access point gave the station an address. */
  protected joined(ip: string): void {
    if (this.closed || this.status !== 'connecting') return;
    this.ip = ip;
    this.change('connected');
  }

  /**
   * The link went down or the join failed. `passwordRefused`: the engine says the WPA handshake
   * failed; otherwise the reason follows from where the station was.
   */
  protected dropped(passwordRefused: boolean): void {
    if (this.closed || this.status === 'disconnected') return;
    this.reason = passwordRefused ? 'wrong-password' : this.status === 'connected' ? 'lost' : 'unreachable';
    this.ip = undefined;
    this.change('disconnected');
  }

  private change(status: WiFiStatus): void {
    this.status = status;
    const onChange = this.options.onChange;
    if (onChange) onChange.call(this, status);
  }
}
