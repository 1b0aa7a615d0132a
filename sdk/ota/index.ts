/** OTA over AWS IoT Jobs and MQTT file streams: the job handler, the block downloader, the slots it writes. */
export { otaJobHandler, parseOtaDocument, type OtaDocument, type OtaOptions } from './agent.js';
export { downloadFile, type DownloadOptions, type Timer } from './stream.js';
export type { AppSlots, SlotState } from './slots.js';
export { SimAppSlots } from './sim-slots.js';
