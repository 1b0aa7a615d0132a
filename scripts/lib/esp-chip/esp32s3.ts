import type { Chip } from './types.js';

export const esp32s3: Chip = {
  id: 'esp32s3',
  name: 'ESP32-S3',
  magicValues: [0x00000009],
  securityChipId: 9,
  imageChipId: 9,
  bootloaderOffset: 0x0,
  maxGpio: 48,
  usbSerialJtag: true,
};
