/**
 * The Wi-Fi station over Moddable's `wifi` module: its callback says 'gotIP' once addressed
 * (the address from `net`'s Net.get('IP')) and 'disconnect' on a failed join or a drop, with
 * -1 when the WPA handshake refused the password (modules/network/wifi/esp32).
 */
import NativeWiFi from 'wifi';
import Net from 'net';
import type { WiFiOptions } from '../contract/wifi.js';
import { Station } from '../station.js';

export class WiFi extends Station {
  private readonly monitor: NativeWiFi;

  constructor(options: WiFiOptions) {
    super(options);
    const { ssid, password } = this.options;
    this.monitor = new NativeWiFi(password === undefined ? { ssid } : { ssid, password }, (message, value) => {
      if (message === 'gotIP') this.joined(Net.get('IP') || '');
      else if (message === 'disconnect' || message === 'lostIP') this.dropped(value === -1);
    });
  }

  protected leave(): void {
    this.monitor.close();
    NativeWiFi.disconnect();
  }
}
