/** Which serial ports are ESP boards, told by the USB bridge's vendor and product ids. */
import type { Board } from './schema.js';

/** USB serial bridges found on ESP boards, by "vid:pid". */
export const usbBridges: Readonly<Record<string, string>> = {
  '10c4:ea60': 'CP210x',
  '1a86:7523': 'CH340',
  '1a86:55d4': 'CH9102',
  '1a86:55d3': 'CH343',
  '0403:6001': 'FTDI FT232R',
  '0403:6010': 'FTDI FT2232',
  '0403:6011': 'FTDI FT4232',
  '0403:6014': 'FTDI FT232H',
  '0403:6015': 'FTDI FT-X',
  '303a:1001': 'Espressif USB-Serial/JTAG',
};

/** A serial port as serialport's `SerialPort.list()` describes it (the fields mote reads). */
export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
}

export interface DetectedPort {
  path: string;
  /** "vid:pid" in lowercase hex, when the port is a USB device. */
  usb?: string;
  /** The bridge's name when it is one ESP boards use. */
  bridge?: string;
  /** Ids of the boards sold with this bridge (empty when the bridge is unknown or generic). */
  boards: string[];
  manufacturer?: string;
  serialNumber?: string;
}

/** Each port with its bridge and the boards that could be behind it. */
export function detectPorts(ports: readonly PortInfo[], boards: readonly Board[]): DetectedPort[] {
  return ports.map((port) => {
    const detected: DetectedPort = { path: port.path, boards: [] };
    if (port.vendorId && port.productId) {
      const usb = `${port.vendorId}:${port.productId}`.toLowerCase();
      detected.usb = usb;
      detected.bridge = usbBridges[usb];
      detected.boards = boards.filter((b) => b.usb.includes(usb)).map((b) => b.id);
    }
    if (port.manufacturer) detected.manufacturer = port.manufacturer;
    if (port.serialNumber) detected.serialNumber = port.serialNumber;
    return detected;
  });
}

/** The board behind a port once its chip is known: the one board sold with this bridge and chip, if exactly one. */
export function boardFor(boards: readonly Board[], usb: string | undefined, chip: string): Board | undefined {
  if (usb === undefined) return undefined;
  const matches = boards.filter((b) => b.usb.includes(usb) && b.chip === chip);
  return matches.length === 1 ? matches[0] : undefined;
}
