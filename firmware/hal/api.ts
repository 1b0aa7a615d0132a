/**
 * `mote/hal` as apps see it when type-checking: the contract's types, with the values every port
 * exports. The build resolves `mote/hal` to the port of its target instead (package.json
 * `exports`: `espruino`, `moddable`, otherwise `sim`).
 */
import type { AppSlotsClass, DigitalClass, EngineTimer, I2CClass, ResetReason, SerialClass, StorageClass, TCPClass, WallClock, WiFiClass } from './contract/index.js';

export type {
  AppSlotsOptions,
  DigitalEdge,
  DigitalMode,
  DigitalOptions,
  EngineTimer,
  HalPort,
  I2COptions,
  ResetReason,
  SerialOptions,
  StorageOptions,
  TCPOptions,
  TLSOptions,
  WallClock,
  WiFiOptions,
  WiFiReason,
  WiFiStatus,
} from './contract/index.js';
export declare const AppSlots: AppSlotsClass;
export type AppSlots = InstanceType<AppSlotsClass>;
export type { SlotState } from './contract/index.js';
export declare const Digital: DigitalClass;
export type Digital = InstanceType<DigitalClass>;
export declare const I2C: I2CClass;
export type I2C = InstanceType<I2CClass>;
export declare const Storage: StorageClass;
export type Storage = InstanceType<StorageClass>;
export declare const TCP: TCPClass;
export type TCP = InstanceType<TCPClass>;
export declare const Serial: SerialClass;
export type Serial = InstanceType<SerialClass>;
export declare const WiFi: WiFiClass;
export type WiFi = InstanceType<WiFiClass>;
export declare const clock: WallClock;
export declare function resetReason(): ResetReason;
export declare function restart(): void;
export declare const engineTimer: EngineTimer;
export declare function log(line: string): void;
