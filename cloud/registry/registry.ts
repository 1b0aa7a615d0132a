/** The registry: things and their types, groups, principals and connectivity, over one store. */
import type { Database } from '../store/database.js';
import { parseBulkFile, registerBulk, type BulkFormat } from './bulk.js';
import { ConnectivityLog } from './connectivity.js';
import { Groups } from './groups.js';
import { Principals } from './principals.js';
import { Things } from './things.js';

export class Registry {
  readonly things: Things;
  readonly groups: Groups;
  readonly principals: Principals;
  readonly connectivity: ConnectivityLog;

  constructor(private readonly db: Database) {
    this.things = new Things(db);
    this.groups = new Groups(db);
    this.principals = new Principals(db);
    this.connectivity = new ConnectivityLog(db);
  }

  /** Registers every thing in a JSON or CSV file, or none (see bulk.ts). */
  async registerBulk(text: string, format: BulkFormat): Promise<{ registered: string[] }> {
    return registerBulk(this.db, this.things, this.groups, parseBulkFile(text, format));
  }
}
