/**
 * The OTA job type: a JobRunner handler (`handlers: { ota: otaJobHandler({...}) }`) that
 * updates the application from an AWS IoT job.
 *
 * Job document (mote's; AWS's own OTA jobs use FreeRTOS's `afr_ota` document, signed):
 *   { "operation": "ota", "stream": "<stream id>", "fileId": 0, "size": <bytes>,
 *     "sha256": "<64 hex digits>", "version": "<optional label>" }
 *
 * Steps, each reported as the execution's statusDetails (`step`, and `received`/`size` while
 * downloading):
 * 1. downloading: blocks over the stream (stream.ts) into the inactive slot (AppSlots);
 * 2. verifying: SHA-256 of the slot read back must equal the document's, else FAILED;
 * 3. rebooting: the slot is committed, a record of the job is kept in `storage`, `reboot()`;
 * 4. after the reset the runner gets the same IN_PROGRESS job again (start-next returns it
 *    first); the new image runs on trial: `selfTest` decides: confirm and SUCCEEDED, or
 *    roll back, FAILED, and reboot into the previous image. A reset before the image confirms
 *    (it crashed) leaves the slots rolled back, and the job is reported FAILED.
 * The record in `storage` is cleared only once the outcome is reported, so an outcome is not
 * lost to a connection that drops at the wrong moment.
 */
import type { Storage } from '../../firmware/hal/contract/storage.js';
import { utf8Decode, utf8Encode } from '../bytes.js';
import type { MqttConnection } from '../mqtt/connection.js';
import { Sha256, toHex } from '../crypto/sha256.js';
import type { Job, JobHandler } from '../jobs/runner.js';
import type { AppSlots } from './slots.js';
import { downloadFile, type Timer } from './stream.js';

export interface OtaDocument {
  operation: 'ota';
  stream: string;
  fileId: number;
  size: number;
  sha256: string;
  version?: string;
}

export interface OtaOptions {
  connection: MqttConnection;
  thingName: string;
  slots: AppSlots;
  /** Where the job's record waits out the reboot (a Storage of its own domain, e.g. 'ota'). */
  storage: Storage;
  timer: Timer;
  /** Restarts the device (after `commit`, or after a rollback). */
  reboot: () => void;
  /** Runs in the new image before it is kept: `done(true)` keeps it; `done(false, reason)` rolls back. Default: keep. */
  selfTest?: (done: (ok: boolean, reason?: string) => void) => void;
  blockSize?: number;
  blocksPerRequest?: number;
  retryMs?: number;
  retries?: number;
  /** Stream payload format. Default 'json'. */
  format?: 'json' | 'cbor';
  /** Progress reports while downloading, every this many percent. Default 25. */
  reportEveryPercent?: number;
}

interface OtaRecord {
  jobId: string;
  step: 'rebooting' | 'confirmed' | 'failed';
  reason?: string;
}

const RECORD = 'job';

/** The document's fields, or the reason it is not an OTA document. */
export function parseOtaDocument(document: { [key: string]: unknown }): OtaDocument | string {
  const { stream, size, sha256 } = document;
  const fileId = document.fileId === undefined ? 0 : document.fileId;
  if (typeof stream !== 'string' || stream.length === 0) return 'stream must be a stream id';
  if (typeof fileId !== 'number' || fileId < 0 || fileId > 255 || fileId % 1 !== 0) return 'fileId must be an integer 0-255';
  if (typeof size !== 'number' || !(size > 0) || size % 1 !== 0) return 'size must be a positive integer';
  if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) return 'sha256 must be 64 hex digits';
  const version = typeof document.version === 'string' ? document.version : undefined;
  return { operation: 'ota', stream, fileId, size, sha256: sha256.toLowerCase(), ...(version !== undefined && { version }) };
}

export function otaJobHandler(options: OtaOptions): JobHandler {
  const { slots, storage } = options;
  const load = (): OtaRecord | undefined => {
    const bytes = storage.get(RECORD);
    if (!bytes) return undefined;
    try {
      return JSON.parse(utf8Decode(bytes)) as OtaRecord;
    } catch (_) {
      return undefined;
    }
  };
  const save = (record: OtaRecord) => storage.set(RECORD, utf8Encode(JSON.stringify(record)));
  const clear = (error?: Error) => {
    if (!error) storage.delete(RECORD);
  };

  /** Runs a slots call; what it throws (a port refusing: flash full, an image the chip rejects) comes back as a reason. */
  const attempt = (work: () => void): string | undefined => {
    try {
      work();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };

  /** The job came back after a reset: finish what the record says. */
  const resume = (job: Job, record: OtaRecord) => {
    const state = slots.state();
    if (record.step === 'confirmed') return job.succeed({ step: 'confirmed' }, clear);
    if (record.step === 'failed') return job.fail({ step: 'failed', reason: record.reason || 'failed' }, clear);
    if (state === 'pending') return options.reboot();
    if (state === 'rolled-back') return job.fail({ step: 'failed', reason: 'the new image reset before it confirmed; rolled back' }, clear);
    if (state !== 'trial') return job.fail({ step: 'failed', reason: `the new image did not boot (slots ${state})` }, clear);
    const selfTest = options.selfTest || ((done: (ok: boolean, reason?: string) => void) => done(true));
    selfTest((ok: boolean, reason?: string) => {
      const refused = ok ? attempt(() => slots.confirm()) : undefined;
      if (ok && !refused) {
        save({ jobId: record.jobId, step: 'confirmed' });
        job.succeed({ step: 'confirmed' }, clear);
      } else {
        const notRolledBack = attempt(() => slots.rollback());
        const cause = refused ? `confirm failed: ${refused}` : `self-test failed${reason ? `: ${reason}` : ''}`;
        const why = notRolledBack ? `${cause}; rollback failed: ${notRolledBack}` : cause;
        save({ jobId: record.jobId, step: 'failed', reason: why });
        job.fail({ step: 'failed', reason: why }, (error) => {
          clear(error);
          options.reboot();
        });
      }
    });
  };

  const verify = (document: OtaDocument): string | undefined => {
    const hash = new Sha256();
    for (let at = 0; at < document.size; at += 4096) hash.update(slots.read(at, Math.min(4096, document.size - at)));
    const got = toHex(hash.digest());
    return got === document.sha256 ? undefined : `SHA-256 mismatch: image has ${got}`;
  };

  const download = (job: Job, document: OtaDocument) => {
    const state = slots.state();
    if (state === 'pending' || state === 'trial') return job.fail({ step: 'failed', reason: `another update is ${state}` });
    try {
      slots.begin(document.size);
    } catch (error) {
      return job.fail({ step: 'failed', reason: (error as Error).message });
    }
    const abandon = (reason: string) => {
      const notRolledBack = attempt(() => slots.rollback());
      job.fail({ step: 'failed', reason: notRolledBack ? `${reason}; rollback failed: ${notRolledBack}` : reason });
    };
    const every = ((options.reportEveryPercent || 25) * document.size) / 100;
    let reported = 0;
    job.progress({ step: 'downloading', received: '0', size: String(document.size) });
    downloadFile(options.connection, {
      thingName: options.thingName, stream: document.stream, fileId: document.fileId, size: document.size, timer: options.timer,
      blockSize: options.blockSize, blocksPerRequest: options.blocksPerRequest, retryMs: options.retryMs, retries: options.retries, format: options.format,
      onProgress: (received, size) => {
        if (received < size && received - reported < every) return;
        reported = received;
        job.progress({ step: 'downloading', received: String(received), size: String(size) });
      },
    }, (offset, bytes) => slots.write(offset, bytes), (error) => {
      if (error) return abandon(`download failed: ${error.message}`);
      let mismatch: string | undefined;
      const unreadable = attempt(() => (mismatch = verify(document)));
      if (unreadable || mismatch) return abandon(unreadable ? `cannot read the image back: ${unreadable}` : mismatch!);
      const refused = attempt(() => slots.commit());
      if (refused) return abandon(`commit failed: ${refused}`);
      save({ jobId: job.execution.jobId, step: 'rebooting' });
      job.progress({ step: 'rebooting' }, () => options.reboot());
    });
  };

  return (job) => {
    const document = parseOtaDocument(job.document);
    if (typeof document === 'string') return job.reject({ reason: `not an OTA job document: ${document}` });
    const record = load();
    if (record && record.jobId === job.execution.jobId) return resume(job, record);
    download(job, document);
  };
}
