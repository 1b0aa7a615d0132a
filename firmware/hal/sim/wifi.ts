/** The Wi-Fi station on the current sim device's radio (the BoardSpec's access points). */
import type { WiFiOptions } from '../contract/wifi.js';
import { Station } from '../station.js';
import { currentDevice } from './device.js';

export class SimWiFi extends Station {
  private readonly radio = currentDevice().board.radio;

  constructor(options: WiFiOptions) {
    super(options);
    this.radio.connect(this.options.ssid, this.options.password, (event) => {
      if (event.kind === 'joined') this.joined(event.ip);
      else this.dropped(event.kind === 'failed' && event.reason === 'wrong-password');
    });
  }

  protected leave(): void {
    this.radio.disconnect();
  }
}
