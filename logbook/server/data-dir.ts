/**
 * The server's data directory (--data): `vml.db` (SQLite metadata, unless --database names PostgreSQL) and
 * `owners/<user>/` (one dir: logbook per user). `serve` and the administration commands open it the same
 * way, so they can run side by side, and several servers can share one PostgreSQL database.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { explainFsError } from '../../core/errors.js';
import { type DatabaseOptions, openMetadata } from './database.js';
import type { SqlMetadata } from './metadata-sql.js';
import { DirStorage } from './storage.js';
import { DirUploadArea } from './uploads.js';

export interface ServerData {
  readonly path: string;
  readonly metadata: SqlMetadata;
  readonly storage: DirStorage;
  /** `DIR/uploads/<user>/`: partial resumable uploads, outside every namespace. */
  readonly uploads: DirUploadArea;
  close(): Promise<void>;
}

/**
 * Opens (making it on first use, readable by the server's user only) the data directory at `path`, with the
 * metadata database `database` names (default `path/vml.db`).
 */
export async function openServerData(path: string, database: DatabaseOptions = {}): Promise<ServerData> {
  const root = resolve(path);
  try {
    await mkdir(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw explainFsError(error, root);
  }
  const metadata = await openMetadata(root, database);
  const storage = new DirStorage(root);
  return {
    path: root,
    metadata,
    storage,
    uploads: new DirUploadArea(join(root, 'uploads')),
    async close() {
      await storage.close();
      await metadata.close();
    },
  };
}
