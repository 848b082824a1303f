/**
 * The server's data directory (--data): `vml.db` (SQLite metadata) and `owners/<user>/` (one dir: logbook
 * per user). `serve` and the administration commands open it the same way, so they can run side by side.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { explainFsError } from '../../core/errors.js';
import { SqliteMetadata } from './metadata-sqlite.js';
import { DirStorage } from './storage.js';
import { DirUploadArea } from './uploads.js';

export interface ServerData {
  readonly path: string;
  readonly metadata: SqliteMetadata;
  readonly storage: DirStorage;
  /** `DIR/uploads/<user>/`: partial resumable uploads, outside every namespace. */
  readonly uploads: DirUploadArea;
  close(): Promise<void>;
}

/** Opens (making it on first use, readable by the server's user only) the data directory at `path`. */
export async function openServerData(path: string): Promise<ServerData> {
  const root = resolve(path);
  try {
    await mkdir(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw explainFsError(error, root);
  }
  const metadata = await SqliteMetadata.open(join(root, 'vml.db'));
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
