/**
 * OTA files: built app images uploaded to the cloud, each served as one stream (file id 0) over
 * MQTT (stream.ts). Kept in the store (table `ota_files`, the bytes as base64 text), with their
 * size and SHA-256, so every cloud process on one store serves the same images.
 */
import { createHash, randomBytes } from 'node:crypto';
import { invalid, notFound } from '../errors.js';
import type { Database } from '../store/database.js';

/** Largest image accepted: an ESP32 app slot on 8 MB flash is under 4 MB. */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

export interface OtaFile {
  streamId: string;
  fileId: number;
  size: number;
  /** 64 lowercase hex digits. */
  sha256: string;
  version?: string;
  description?: string;
  createdAt: number;
}

interface Row {
  stream_id: string;
  file_id: number;
  size: number;
  sha256: string;
  version: string | null;
  description: string | null;
  created_at: number;
}

const toFile = (r: Row): OtaFile => ({
  streamId: r.stream_id, fileId: r.file_id, size: r.size, sha256: r.sha256,
  ...(r.version !== null && { version: r.version }), ...(r.description !== null && { description: r.description }), createdAt: r.created_at,
});

const COLUMNS = 'stream_id, file_id, size, sha256, version, description, created_at';
export const versionLabel = /^[a-zA-Z0-9._+-]{1,64}$/;

export class OtaFiles {
  /** Bytes of recently served streams: a download asks for every block, and images do not change. */
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly db: Database) {}

  /** Stores an image; its stream id is new (`ota-<12 hex digits>`). */
  async upload(bytes: Buffer, options: { version?: string; description?: string } = {}): Promise<OtaFile> {
    if (bytes.length === 0) throw invalid('the image is empty');
    if (bytes.length > MAX_IMAGE_BYTES) throw invalid(`the image is ${bytes.length} bytes; at most ${MAX_IMAGE_BYTES} are accepted`);
    if (options.version !== undefined && !versionLabel.test(options.version)) throw invalid("version must be 1-64 letters, digits, '.', '_', '+' or '-'");
    if (options.description !== undefined && options.description.length > 2028) throw invalid('description is longer than 2028 characters');
    const file: OtaFile = {
      streamId: `ota-${randomBytes(6).toString('hex')}`, fileId: 0, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'),
      ...(options.version !== undefined && { version: options.version }), ...(options.description !== undefined && { description: options.description }),
      createdAt: Date.now(),
    };
    await this.db.run(`INSERT INTO ota_files (${COLUMNS}, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      file.streamId, file.fileId, file.size, file.sha256, file.version ?? null, file.description ?? null, file.createdAt, bytes.toString('base64'),
    ]);
    return file;
  }

  async find(streamId: string): Promise<OtaFile | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM ota_files WHERE stream_id = ?`, [streamId]);
    return row && toFile(row);
  }

  async describe(streamId: string): Promise<OtaFile> {
    const file = await this.find(streamId);
    if (file === undefined) throw notFound(`OTA stream ${streamId}`);
    return file;
  }

  async list(): Promise<OtaFile[]> {
    return (await this.db.all<Row>(`SELECT ${COLUMNS} FROM ota_files ORDER BY created_at, stream_id`)).map(toFile);
  }

  /** The image's bytes, or undefined if there is no such stream. */
  async bytes(streamId: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(streamId);
    if (cached) return cached;
    const row = await this.db.get<{ data: string }>('SELECT data FROM ota_files WHERE stream_id = ?', [streamId]);
    if (row === undefined) return undefined;
    const bytes = Buffer.from(row.data, 'base64');
    if (this.cache.size >= 4) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(streamId, bytes);
    return bytes;
  }
}
