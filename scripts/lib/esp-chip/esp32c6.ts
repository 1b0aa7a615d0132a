import type { Chip } from './types.js';

export const esp32c6: Chip = {
  id: 'esp32c6',
  name: 'ESP32-C6',
  magicValues: [0x2ce0806f],
  securityChipId: 13,
  imageChipId: 13,
  bootloaderOffset: 0x0,
  maxGpio: 30,
  usbSerialJtag: true,
};
