import type { Chip } from './types.js';

/** Several silicon revisions of the ESP32-C3 have different magic values. */
export const esp32c3: Chip = {
  id: 'esp32c3',
  name: 'ESP32-C3',
  magicValues: [0x6921506f, 0x1b31506f, 0x4881606f, 0x4361606f],
  securityChipId: 5,
  imageChipId: 5,
  bootloaderOffset: 0x0,
  maxGpio: 21,
  usbSerialJtag: true,
};
