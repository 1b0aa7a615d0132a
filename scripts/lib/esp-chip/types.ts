/** What mote knows of one ESP chip target: how the ROM and the app image name it, and where its images go. */
export type ChipId = 'esp32' | 'esp32s2' | 'esp32s3' | 'esp32c3' | 'esp32c6';

export interface Chip {
  id: ChipId;
  /** The name Espressif prints, e.g. "ESP32-S3". */
  name: string;
  /** Values of the chip-detect magic register (0x40001000) that identify this chip. */
  magicValues: readonly number[];
  /** chip_id in GET_SECURITY_INFO's reply; absent where the ROM does not report one (ESP32, ESP32-S2). */
  securityChipId?: number;
  /** Chip id in the app image's extended header (bytes 12-13 of the image). */
  imageChipId: number;
  /** Where the second-stage bootloader is flashed. */
  bootloaderOffset: number;
  /** The highest GPIO number. */
  maxGpio: number;
  /** Whether the chip has the built-in USB-Serial/JTAG controller (303a:1001). */
  usbSerialJtag: boolean;
}
