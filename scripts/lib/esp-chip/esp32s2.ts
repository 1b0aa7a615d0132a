import type { Chip } from './types.js';

/** The ESP32-S2 ROM answers GET_SECURITY_INFO without a chip_id (12 bytes), so it is told by its magic value. */
export const esp32s2: Chip = {
  id: 'esp32s2',
  name: 'ESP32-S2',
  magicValues: [0x000007c6],
  imageChipId: 2,
  bootloaderOffset: 0x1000,
  maxGpio: 46,
  usbSerialJtag: false,
};
