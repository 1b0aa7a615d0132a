/**
 * AppSlots: the two application slots the OTA client writes a new image into (the state machine
 * is documented with the interface, sdk/ota/slots.ts). Each port keeps the slots where its engine
 * boots from:
 * - Espruino: two Storage files and a boot loader in `.bootcde` (espruino/app-slots.ts);
 * - Moddable: ESP-IDF's OTA partitions through Moddable's `ota` and `flash` modules
 *   (moddable/app-slots.ts; no rollback of a running image: Moddable does not expose it);
 * - sim: in memory, its state in the device's flash (sdk/ota/sim-slots.ts).
 */
import type { AppSlots } from '../../../sdk/ota/slots.js';

export type { AppSlots, SlotState } from '../../../sdk/ota/slots.js';

export interface AppSlotsOptions {
  /** The largest image accepted, in bytes (capped by what the engine has room for). */
  capacity?: number;
}

export interface AppSlotsClass {
  new (options?: AppSlotsOptions): AppSlots;
}
