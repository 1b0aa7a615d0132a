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
declare module 'time' {
  const Time: { readonly ticks: number };
  export default Time;
}
