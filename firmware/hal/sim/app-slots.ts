/**
 * AppSlots on the sim port: SimAppSlots (the slots in memory, `reset()` playing the bootloader)
 * with its state in the current device's flash, domain 'mote', as `new AppSlots(options)` makes
 * it on every port.
 */
import { SimAppSlots } from '../../../sdk/ota/sim-slots.js';
import type { AppSlotsOptions } from '../contract/app-slots.js';
import { SimStorage } from './storage.js';

export { SimAppSlots };

export class AppSlots extends SimAppSlots {
  constructor(options: AppSlotsOptions = {}) {
    super(new SimStorage({ domain: 'mote' }), options.capacity);
  }
}
