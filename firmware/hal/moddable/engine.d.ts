/**
 * The Moddable modules the Moddable port imports, as far as it uses them (Moddable's
 * documentation: IO classes per ECMA-419, `timer`, `time`). Resolved by Moddable's manifests on
 * the device, and by the XS device host's simulated modules in tests.
 */
declare module 'embedded:io/digital' {
  export default class Digital {
    static readonly Output: number;
    constructor(options: { pin: number; mode: number; edge?: number; onReadable?: () => void });
    read(): number;
    write(value: number): void;
    close(): void;
  }
}
declare module 'embedded:io/i2c' {
  export default class I2C {
    constructor(options: { data: number; clock: number; hz: number; address: number });
    read(count: number): ArrayBuffer;
    write(bytes: ArrayBufferView | ArrayBuffer, stop?: boolean): void;
    close(): void;
  }
}
declare module 'timer' {
  const Timer: {
    set(callback: () => void, delay: number, interval?: number): unknown;
    clear(id: unknown): void;
    repeat(callback: () => void, interval: number): unknown;
  };
  export default Timer;
}
declare module 'embedded:io/serial' {
  export default class Serial {
    constructor(options: {
      port: number;
      receive: number;
      transmit: number;
      baud: number;
      format?: 'buffer' | 'number';
      onReadable?: (count: number) => void;
      onWritable?: (count: number) => void;
      onError?: () => void;
    });
    /** With format 'buffer': the bytes waiting, as an ArrayBuffer (undefined when none). */
    read(): ArrayBuffer | undefined;
    write(bytes: ArrayBuffer): void;
    close(): void;
  }
}
declare module 'time' {
  const Time: {
    readonly ticks: number;
    /** Sets the wall clock, in seconds since 1970. */
    set(seconds: number): void;
  };
  export default Time;
}
declare module 'wifi' {
  /** Messages: 'connect', 'gotIP', 'lostIP', 'disconnect' (value -1 when the password was refused). */
  export default class WiFi {
    constructor(options: { ssid: string; password?: string }, callback: (message: string, value?: number) => void);
    /** Stops the callbacks; does not leave the network. */
    close(): void;
    static disconnect(): void;
  }
}
declare module 'net' {
  const Net: { get(property: 'IP' | 'SSID' | 'MAC'): string | undefined };
  export default Net;
}
declare module 'preference' {
  const Preference: {
    get(domain: string, key: string): boolean | number | string | ArrayBuffer | undefined;
    set(domain: string, key: string, value: boolean | number | string | ArrayBuffer): void;
    delete(domain: string, key: string): void;
    keys(domain: string): string[];
  };
  export default Preference;
}
declare module 'socket' {
  export class Socket {
    constructor(options: { host: string; port: number });
    callback: (message: number, value?: number) => void;
    read(type: typeof ArrayBuffer): ArrayBuffer;
    write(data: ArrayBuffer): void;
    close(): void;
  }
}
declare module 'securesocket' {
  import { Socket } from 'socket';
  export default class SecureSocket extends Socket {
    constructor(options: { host: string; port: number; secure: { serverName?: string } });
  }
}
declare module 'ota' {
  /**
   * Moddable's ESP32 `ota` (build/devices/esp32/modules/ota): the constructor is esp_ota_begin on
   * the next update partition (erasing `byteLength` bytes, or the whole partition), write() is
   * esp_ota_write (sequential), cancel() ends without changing the boot partition, complete() is
   * esp_ota_end (which validates the image) and esp_ota_set_boot_partition.
   */
  export default class OTA {
    constructor(options?: { byteLength?: number });
    write(bytes: ArrayBuffer): void;
    cancel(): void;
    complete(): void;
  }
}
declare module 'flash' {
  /** Moddable's `flash` (modules/files/flash): a partition by name; on ESP32 'running' and 'nextota' are the OTA slots. */
  export default class Flash {
    constructor(partition: string);
    erase(sector: number): void;
    read(offset: number, byteLength: number): ArrayBuffer;
    write(offset: number, byteLength: number, buffer: ArrayBuffer): void;
    readonly byteLength: number;
    readonly blockSize: number;
  }
}
