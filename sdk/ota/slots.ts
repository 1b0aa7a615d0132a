/**
 * AppSlots: the two application slots of an ESP32 (ota_0/ota_1) as the OTA client needs them,
 * in the spirit of ESP-IDF's esp_ota_* calls with rollback enabled. The port that writes real
 * flash implements it; SimAppSlots (sim-slots.ts) keeps the slots in memory for tests.
 *
 * States (`state()`), which survive a reset (the implementation keeps them in a Storage):
 * - 'idle': the running image is confirmed; nothing in progress.
 * - 'writing': `begin(size)` erased the inactive slot; `write`s are landing there.
 * - 'pending': `commit()` marked the written image to boot at the next reset.
 * - 'trial': the new image booted and is not confirmed yet: `confirm()` keeps it (-> 'idle');
 *   `rollback()`, or any reset before `confirm()`, returns to the previous image.
 * - 'rolled-back': the new image was abandoned and the previous one runs again (until the next `begin`).
 * `rollback()` while 'writing' or 'pending' just abandons the new image (-> 'idle').
 */
export type SlotState = 'idle' | 'writing' | 'pending' | 'trial' | 'rolled-back';

export interface AppSlots {
  state(): SlotState;
  /** The largest image a slot holds. */
  readonly capacity: number;
  /** Starts a new image of `size` bytes in the inactive slot (RangeError beyond `capacity`). */
  begin(size: number): void;
  write(offset: number, bytes: Uint8Array): void;
  /** Reads back what was written (to verify the image as flash holds it). */
  read(offset: number, length: number): Uint8Array;
  commit(): void;
  confirm(): void;
  rollback(): void;
}
