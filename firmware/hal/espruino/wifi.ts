/**
 * The Wi-Fi station over Espruino's `Wifi` module (libs/network/esp32/jswrap_esp32_network.c):
 * connect(ssid, { password }, callback) calls back only once an address is got; failures and
 * drops come as 'disconnected' events whose `msg` names ESP-IDF's reason. The WPA handshake
 * reasons below are those that mean a refused password (Moddable's ESP32 port reads the same set).
 */
import type { WiFiOptions } from '../contract/wifi.js';
import { Station } from '../station.js';
import { espruinoModule } from './engine.js';

interface EspruinoWifi {
  connect(ssid: string, options: { password?: string }, callback: (error: unknown) => void): void;
  disconnect(callback?: () => void): void;
  on(event: 'connected', fn: (details: { ip: string }) => void): void;
  on(event: 'disconnected', fn: (details: { msg?: string }) => void): void;
}

const PASSWORD_REFUSED = ['MIC_FAILURE', '4WAY_HANDSHAKE_TIMEOUT', 'GROUP_KEY_UPDATE_TIMEOUT', 'IE_IN_4WAY_DIFFERS', 'HANDSHAKE_TIMEOUT', 'AUTH_FAIL'];

let station: WiFi | undefined;
let listening = false;

export class WiFi extends Station {
  private readonly wifi = espruinoModule<EspruinoWifi>('Wifi');

  constructor(options: WiFiOptions) {
    super(options);
    station = this;
    // The module's listeners stay for the program's life: they report to whichever station is open.
    if (!listening) {
      listening = true;
      this.wifi.on('connected', (details) => station && station.got(details.ip));
      this.wifi.on('disconnected', (details) => station && station.lost(PASSWORD_REFUSED.indexOf(String(details && details.msg)) >= 0));
    }
    this.wifi.connect(this.options.ssid, { password: this.options.password }, () => {});
  }

  got(ip: string): void {
    this.joined(ip);
  }

  lost(passwordRefused: boolean): void {
    this.dropped(passwordRefused);
  }

  protected leave(): void {
    station = undefined;
    this.wifi.disconnect();
  }
}
