/**
 * The server's data directory (--data): `vml.db` (SQLite metadata, unless --database names PostgreSQL) and
 * `owners/<user>/` (one dir: logbook per user; in an S3 bucket instead with --storage s3://…). `serve` and the
 * administration commands open it the same way, so they can run side by side, and several servers can share
 * one PostgreSQL database.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { explainFsError, VmlError } from '../../core/errors.js';
import { stripUserInfo } from '../backend/registry.js';
import { type DatabaseOptions, openMetadata } from './database.js';
import type { SqlMetadata } from './metadata-sql.js';
import { DirStorage, type Storage } from './storage.js';
import { S3Storage } from './storage-s3.js';
import { DirUploadArea } from './uploads.js';

export interface ServerData {
  readonly path: string;
  readonly metadata: SqlMetadata;
  readonly storage: Storage;
  /** `DIR/uploads/<user>/`: partial resumable uploads, outside every namespace. */
  readonly uploads: DirUploadArea;
  close(): Promise<void>;
}

/**
 * Opens (making it on first use, readable by the server's user only) the data directory at `path`, with the
 * metadata database `database` names (default `path/vml.db`) and the logbooks where `storageUrl` says
 * (default `path` itself).
 */
export async function openServerData(
  path: string,
  database: DatabaseOptions = {},
  storageUrl?: string,
): Promise<ServerData> {
  const root = resolve(path);
  try {
    await mkdir(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw explainFsError(error, root);
  }
  const metadata = await openMetadata(root, database);
  let storage: Storage;
  try {
    storage = await openStorage(root, storageUrl);
  } catch (error) {
    await metadata.close();
    throw error;
  }
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

/**
 * Where the logbooks go: `root` itself by default, `dir:PATH`, or an S3 bucket (`s3://…`, `s3s://…`).
 * Throws VmlError E_USAGE for another scheme.
 */
async function openStorage(root: string, url: string | undefined): Promise<Storage> {
  if (url === undefined) return new DirStorage(root);
  if (/^s3s?:\/\//i.test(url)) return S3Storage.open(url);
  if (/^dir:./i.test(url)) return new DirStorage(resolve(url.slice(4)));
  throw new VmlError('E_USAGE', `Cannot keep logbooks in "${stripUserInfo(url)}": unknown storage`, {
    hint: 'Use --storage s3://HOST:PORT/BUCKET[/PREFIX], s3s://… (HTTPS) or dir:PATH, or leave it out',
  });
}
