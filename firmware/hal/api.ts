/**
 * `mote/hal` as apps see it when type-checking: the contract's types, with the values every port
 * exports. The build resolves `mote/hal` to the port of its target instead (package.json
 * `exports`: `espruino`, `moddable`, otherwise `sim`).
 */
import type { DigitalClass, EngineTimer, I2CClass, StorageClass, TCPClass } from './contract/index.js';

export type { DigitalEdge, DigitalMode, DigitalOptions, EngineTimer, HalPort, I2COptions, StorageOptions, TCPOptions, TLSOptions } from './contract/index.js';
export declare const Digital: DigitalClass;
export type Digital = InstanceType<DigitalClass>;
export declare const I2C: I2CClass;
export type I2C = InstanceType<I2CClass>;
export declare const Storage: StorageClass;
export type Storage = InstanceType<StorageClass>;
export declare const TCP: TCPClass;
export type TCP = InstanceType<TCPClass>;
export declare const engineTimer: EngineTimer;
export declare function log(line: string): void;
