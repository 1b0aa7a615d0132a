/**
 * Alarms raised and cleared by detectors and acknowledged by operators, kept in the store with
 * the history of their changes. Each alarm (model, key, name) moves as follows:
 *
 *   NORMAL       --raise-->  ACTIVE
 *   ACTIVE       --ack-->    ACKNOWLEDGED     --clear-->  NORMAL
 *   ACTIVE       --clear-->  LATCHED          (the condition is gone, nobody acknowledged yet)
 *   LATCHED      --ack-->    NORMAL           --raise-->  ACTIVE (it came back before anyone looked)
 *   ACKNOWLEDGED --raise-->  ACKNOWLEDGED     (an operator already knows)
 *
 * A raise that changes neither state, severity nor message, and a clear of a NORMAL or LATCHED
 * alarm, change nothing. Acknowledging a NORMAL alarm is refused (AlarmNotRaised); a second
 * acknowledgement only replaces the note. Changes are optimistic (the row's version), so a
 * detector raising while an operator acknowledges loses neither. `onChange` gets every change
 * after it is stored: the service publishes it.
 */
import type { Database, Queryable } from '../store/database.js';

export const alarmStates = ['NORMAL', 'ACTIVE', 'ACKNOWLEDGED', 'LATCHED'] as const;
export type AlarmState = (typeof alarmStates)[number];

/** The alarm as the API answers it and the cloud publishes it. */
export interface Alarm {
  model: string;
  key: string;
  name: string;
  state: AlarmState;
  severity: number;
  message: string;
  /** Epoch ms of the last change. */
  updatedAt: number;
  /** The operator's note with the last acknowledgement. */
  note?: string;
}

export class AlarmNotRaised extends Error {
  constructor(alarm: Alarm) {
    super(`alarm ${alarm.name} of ${alarm.model}/${alarm.key} is NORMAL: there is nothing to acknowledge`);
    this.name = 'AlarmNotRaised';
  }
}

export type AlarmId = Pick<Alarm, 'model' | 'key' | 'name'>;
type Change = { raise: { severity: number; message: string } } | { clear: true } | { acknowledge: { note?: string } };

/** The alarm after `change`, or undefined when nothing changes; throws AlarmNotRaised for an acknowledgement of a NORMAL alarm. */
function apply(alarm: Alarm, change: Change): Omit<Alarm, 'updatedAt'> | undefined {
  const { updatedAt: _, ...was } = alarm;
  if ('raise' in change) {
    const { severity, message } = change.raise;
    const state = was.state === 'ACKNOWLEDGED' ? 'ACKNOWLEDGED' : 'ACTIVE';
    if (state === was.state && severity === was.severity && message === was.message) return undefined;
    // A new episode starts without the last one's note.
    const { note: _note, ...rest } = was;
    return { ...(was.state === 'NORMAL' ? rest : was), state, severity, message };
  }
  if ('clear' in change) {
    if (was.state === 'ACTIVE') return { ...was, state: 'LATCHED' };
    return was.state === 'ACKNOWLEDGED' ? { ...was, state: 'NORMAL' } : undefined;
  }
  if (was.state === 'NORMAL') throw new AlarmNotRaised(alarm);
  const note = change.acknowledge.note;
  const next = { ...was, ...(note !== undefined && { note }) };
  if (was.state === 'ACKNOWLEDGED') return note === undefined || note === was.note ? undefined : next;
  return { ...next, state: was.state === 'LATCHED' ? 'NORMAL' : 'ACKNOWLEDGED' };
}

interface Row {
  model: string;
  key_value: string;
  name: string;
  state: AlarmState;
  severity: number;
  message: string;
  note: string | null;
  version: number;
  updated_at: number;
}

const fromRow = (row: Row): Alarm => ({
  model: row.model, key: row.key_value, name: row.name, state: row.state, severity: row.severity, message: row.message,
  updatedAt: row.updated_at, ...(row.note !== null && { note: row.note }),
});

const ORDER = 'ORDER BY model, key_value, name';

export class Alarms {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    private readonly onChange: (alarm: Alarm) => Promise<void>,
  ) {}

  async list(state?: AlarmState): Promise<Alarm[]> {
    const rows = state === undefined ? await this.db.all<Row>(`SELECT * FROM event_alarms ${ORDER}`) : await this.db.all<Row>(`SELECT * FROM event_alarms WHERE state = ? ${ORDER}`, [state]);
    return rows.map(fromRow);
  }

  async get(id: AlarmId): Promise<Alarm | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM event_alarms WHERE model = ? AND key_value = ? AND name = ?', [id.model, id.key, id.name]);
    return row && fromRow(row);
  }

  /** Every change of one alarm, oldest first. */
  async history(id: AlarmId): Promise<Alarm[]> {
    const rows = await this.db.all<Omit<Row, 'version' | 'updated_at'> & { at: number }>(
      'SELECT * FROM event_alarm_history WHERE model = ? AND key_value = ? AND name = ? ORDER BY id', [id.model, id.key, id.name]);
    return rows.map((r) => fromRow({ ...r, version: 0, updated_at: r.at }));
  }

  raise(id: AlarmId, severity: number, message: string): Promise<Alarm | undefined> {
    return this.change(id, { raise: { severity, message } });
  }

  clear(id: AlarmId): Promise<Alarm | undefined> {
    return this.change(id, { clear: true });
  }

  /** The alarm acknowledged; undefined if there is no such alarm. */
  async acknowledge(id: AlarmId, note?: string): Promise<Alarm | undefined> {
    const current = await this.get(id);
    if (current === undefined) return undefined;
    return (await this.change(id, { acknowledge: note === undefined ? {} : { note } })) ?? (await this.get(id));
  }

  /** Applies `change`, retrying when another writer got there first; the changed alarm, or undefined if nothing changed. */
  private async change(id: AlarmId, change: Change): Promise<Alarm | undefined> {
    for (;;) {
      const row = await this.db.get<Row>('SELECT * FROM event_alarms WHERE model = ? AND key_value = ? AND name = ?', [id.model, id.key, id.name]);
      const current = row ? fromRow(row) : { ...id, state: 'NORMAL' as const, severity: 0, message: '', updatedAt: 0 };
      const next = apply(current, change);
      if (next === undefined) return undefined;
      const alarm: Alarm = { ...next, updatedAt: this.now() };
      const written = await this.db.transaction(async (tx) => (await this.write(tx, alarm, row?.version)) && (await this.record(tx, alarm), true));
      if (!written) continue;
      await this.onChange(alarm);
      return alarm;
    }
  }

  private async write(tx: Queryable, a: Alarm, version: number | undefined): Promise<boolean> {
    const values = [a.state, a.severity, a.message, a.note ?? null, a.updatedAt];
    if (version === undefined) {
      const { changes } = await tx.run(
        'INSERT INTO event_alarms (state, severity, message, note, updated_at, model, key_value, name, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (model, key_value, name) DO NOTHING',
        [...values, a.model, a.key, a.name]);
      return changes === 1;
    }
    const { changes } = await tx.run(
      'UPDATE event_alarms SET state = ?, severity = ?, message = ?, note = ?, updated_at = ?, version = version + 1 WHERE model = ? AND key_value = ? AND name = ? AND version = ?',
      [...values, a.model, a.key, a.name, version]);
    return changes === 1;
  }

  private async record(tx: Queryable, a: Alarm): Promise<void> {
    await tx.run('INSERT INTO event_alarm_history (model, key_value, name, state, severity, message, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [a.model, a.key, a.name, a.state, a.severity, a.message, a.note ?? null, a.updatedAt]);
  }
}
