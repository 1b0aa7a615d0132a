/**
 * Detector models and detector instances in the store (`event_detector_models`,
 * `event_detectors`). A model's rows cascade: deleting it deletes its detectors and alarms.
 */
import type { Queryable } from '../store/database.js';
import type { DetectorInstance, Timer } from './detector.js';
import type { DetectorModel } from './model.js';

export interface StoredModel {
  model: DetectorModel;
  createdAt: number;
  updatedAt: number;
}

interface ModelRow {
  name: string;
  body: string;
  created_at: number;
  updated_at: number;
}

interface DetectorRow {
  model: string;
  key_value: string;
  state: string;
  variables: string;
  timers: string;
  updated_at: number;
}

const modelOf = (row: ModelRow): StoredModel => ({ model: JSON.parse(row.body) as DetectorModel, createdAt: row.created_at, updatedAt: row.updated_at });
const detectorOf = (row: DetectorRow): DetectorInstance => ({
  model: row.model, key: row.key_value, state: row.state,
  variables: JSON.parse(row.variables) as Record<string, unknown>, timers: JSON.parse(row.timers) as Record<string, Timer>, updatedAt: row.updated_at,
});

export const modelRows = {
  async list(db: Queryable): Promise<StoredModel[]> {
    return (await db.all<ModelRow>('SELECT * FROM event_detector_models ORDER BY name')).map(modelOf);
  },
  /** Creates or replaces (run it in a transaction); what is stored now. */
  async put(tx: Queryable, model: DetectorModel, at: number): Promise<StoredModel & { created: boolean }> {
    const { changes } = await tx.run('UPDATE event_detector_models SET body = ?, updated_at = ? WHERE name = ?', [JSON.stringify(model), at, model.name]);
    if (changes === 0) await tx.run('INSERT INTO event_detector_models (name, body, created_at, updated_at) VALUES (?, ?, ?, ?)', [model.name, JSON.stringify(model), at, at]);
    const row = await tx.get<ModelRow>('SELECT * FROM event_detector_models WHERE name = ?', [model.name]);
    return { ...modelOf(row!), created: changes === 0 };
  },
  async delete(db: Queryable, name: string): Promise<boolean> {
    return (await db.run('DELETE FROM event_detector_models WHERE name = ?', [name])).changes === 1;
  },
};

export const detectorRows = {
  async list(db: Queryable, model?: string): Promise<DetectorInstance[]> {
    const rows = model === undefined
      ? await db.all<DetectorRow>('SELECT * FROM event_detectors ORDER BY model, key_value')
      : await db.all<DetectorRow>('SELECT * FROM event_detectors WHERE model = ? ORDER BY key_value', [model]);
    return rows.map(detectorOf);
  },
  async get(db: Queryable, model: string, key: string): Promise<DetectorInstance | undefined> {
    const row = await db.get<DetectorRow>('SELECT * FROM event_detectors WHERE model = ? AND key_value = ?', [model, key]);
    return row && detectorOf(row);
  },
  async put(db: Queryable, d: DetectorInstance): Promise<void> {
    await db.run(
      'INSERT INTO event_detectors (model, key_value, state, variables, timers, updated_at) VALUES (?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (model, key_value) DO UPDATE SET state = excluded.state, variables = excluded.variables, timers = excluded.timers, updated_at = excluded.updated_at',
      [d.model, d.key, d.state, JSON.stringify(d.variables), JSON.stringify(d.timers), d.updatedAt],
    );
  },
};
