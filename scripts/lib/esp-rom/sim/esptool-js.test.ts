// The simulated ROM against an independent client: Espressif's esptool-js (written for Web Serial), through a
// small Web Serial adapter over serialport on the pty. Modem lines go to the simulated chip (a pty has none).
import { createHash, randomBytes } from 'node:crypto';
import { type ESPLoader as Loader, ESPLoader, Transport as EsptoolTransport } from 'esptool-js';
import { afterEach, describe, expect, it } from 'vitest';
import { chipById } from '../../esp-chip/index.js';
import { openSerialTransport, type Transport } from '../transport.js';
import { SimulatedEsp, type SimulatedEspOptions, wireLines } from './index.js';

/** The part of the Web Serial `SerialPort` esptool-js uses, over a mote Transport. */
function webSerialPort(transport: Transport, usbProductId?: number) {
  let unsubscribe: (() => void) | undefined;
  const port = {
    readable: null as ReadableStream<Uint8Array> | null,
    writable: null as WritableStream<Uint8Array> | null,
    async open() {
      port.readable = new ReadableStream<Uint8Array>({
        start(controller) {
          unsubscribe = transport.onData((bytes) => controller.enqueue(new Uint8Array(bytes)));
        },
        cancel() {
          unsubscribe?.();
        },
      });
      port.writable = new WritableStream<Uint8Array>({ write: (chunk) => transport.write(chunk) });
    },
    async close() {
      unsubscribe?.();
      port.readable = null;
      port.writable = null;
    },
    async setSignals(signals: { dataTerminalReady?: boolean; requestToSend?: boolean }) {
      await transport.setSignals({
        ...(signals.dataTerminalReady !== undefined ? { dtr: signals.dataTerminalReady } : {}),
        ...(signals.requestToSend !== undefined ? { rts: signals.requestToSend } : {}),
      });
    },
    setBaudRate: (rate: number) => transport.setBaudRate(rate),
    getInfo: () => ({ usbVendorId: usbProductId === undefined ? undefined : 0x303a, usbProductId }),
  };
  return port;
}

const sims: { esp: SimulatedEsp; transport: Transport }[] = [];
afterEach(async () => {
  for (const { esp, transport } of sims.splice(0)) {
    await transport.close();
    await esp.close();
  }
});

async function esptoolOn(options: SimulatedEspOptions, usbProductId?: number): Promise<{ esp: SimulatedEsp; loader: Loader; log: string[] }> {
  const esp = await SimulatedEsp.start(options);
  const transport = wireLines(await openSerialTransport(esp.path, 115200), esp);
  sims.push({ esp, transport });
  const log: string[] = [];
  const terminal = { clean() {}, writeLine: (s: string) => log.push(s), write: (s: string) => log.push(s) };
  const device = webSerialPort(transport, usbProductId) as unknown as ConstructorParameters<typeof EsptoolTransport>[0];
  const loader = new ESPLoader({ transport: new EsptoolTransport(device, false), baudrate: 921600, romBaudrate: 115200, terminal });
  return { esp, loader, log };
}

describe('the simulated ROM with esptool-js as the client', () => {
  it('connects (classic reset), detects an ESP32, changes baud, writes deflated; the MD5 matches', async () => {
    const { esp, loader, log } = await esptoolOn({ chip: chipById('esp32') });
    await loader.detectChip('default_reset');
    expect(loader.chip.CHIP_NAME).toBe('ESP32');
    await loader.changeBaud();
    expect(esp.events).toEqual(['reset', 'boot download', 'baud 921600']);
    const image = Buffer.concat([Buffer.alloc(20000, 0x42), randomBytes(5000)]);
    await loader.writeFlash({
      fileArray: [{ data: new Uint8Array(image), address: 0x20000 }],
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      eraseAll: false,
      compress: true,
    });
    expect(log.some((line) => /^Compressed 25000 bytes to \d+\.\.\.$/.test(line))).toBe(true);
    expect(esp.flash.subarray(0x20000, 0x20000 + image.length).equals(image)).toBe(true);
    // The ROM answers SPI_FLASH_MD5 with 32 ASCII hex characters; esptool-js 0.7 hex-encodes those bytes once
    // more (it expects the stub's 16 raw bytes), so its writeFlash MD5 check cannot pass against a ROM.
    const md5 = await loader.flashMd5sum(0x20000, image.length);
    expect(Buffer.from(md5, 'hex').toString('latin1')).toBe(createHash('md5').update(image).digest('hex'));
  }, 20_000);

  it('connects to an ESP32-C3 on USB-Serial/JTAG with its reset sequence and tells it by security info', async () => {
    const { esp, loader } = await esptoolOn({ chip: chipById('esp32c3'), circuit: 'usb-serial-jtag' }, 0x1001);
    await loader.detectChip('default_reset');
    expect(loader.chip.CHIP_NAME).toBe('ESP32-C3');
    expect(esp.events.slice(0, 2)).toEqual(['reset', 'boot download']);
  }, 20_000);

  it('reads registers: the chip magic of each chip', async () => {
    for (const id of ['esp32s2', 'esp32s3', 'esp32c6'] as const) {
      const { loader } = await esptoolOn({ chip: chipById(id), boot: 'download' });
      await loader.detectChip('no_reset');
      expect(loader.chip.CHIP_NAME).toBe(chipById(id).name);
      expect(await loader.readReg(0x40001000)).toBe(chipById(id).magicValues[0]);
    }
  }, 30_000);
});
