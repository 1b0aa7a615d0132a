import type { Chip } from './types.js';

export const esp32: Chip = {
  id: 'esp32',
  name: 'ESP32',
  magicValues: [0x00f01d83],
  imageChipId: 0,
  bootloaderOffset: 0x1000,
  maxGpio: 39,
  usbSerialJtag: false,
};
