/**
 * File catalogs: SQLite databases (inflated into a temporary file) listing a directory tree by MD5 path
 * hashes. Columns are chosen by the catalog's schema revision, as the CernVM-FS client does.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { VmlError } from '../../../core/errors.js';
import { type ContentHash, hashFromBlob, parseHash, pathKey } from './hash.js';
import { num, openReadOnly } from './sqlite.js';
import { decodeXattrs } from './xattrs.js';

// Flags of catalog entries (catalog_sql.h).
export const FLAG = {
  dir: 1,
  nestedMountpoint: 2,
  file: 4,
  link: 8,
  special: 16,
  nestedRoot: 32,
  chunked: 64,
  external: 128,
  bindMountpoint: 0x4000,
  hidden: 0x8000,
} as const;

export type EntryKind = 'dir' | 'file' | 'symlink' | 'special';

/** One catalog row, decoded. `path` is absolute in the repository ("/lcg/releases"). */
export interface CatalogEntry {
  readonly path: string;
  readonly name: string;
  readonly kind: EntryKind;
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  /** Nanosecond part of the mtime (schema revision 7), if recorded. */
  readonly mtimeNs: number | undefined;
  readonly uid: number;
  readonly gid: number;
  readonly flags: number;
  /** Content hash of a regular, unchunked file (chunked files have none). */
  readonly hash: ContentHash | undefined;
  /** False when the flags say the data is stored uncompressed. */
  readonly compressed: boolean;
  readonly chunked: boolean;
  readonly external: boolean;
  readonly nestedMountpoint: boolean;
  /** Symlink target as published, `$(VAR)` variants unexpanded. */
  readonly target: string | undefined;
  /** Hard-link group within the catalog (0: none) and link count. */
  readonly hardlinkGroup: number;
  readonly linkcount: number;
  /** Extended attributes, name → raw value. */
  readonly xattrs: Readonly<Record<string, Buffer>> | undefined;
}

/** One chunk of a chunked file, in offset order. */
export interface Chunk {
  readonly offset: number;
  readonly size: number;
  readonly hash: ContentHash;
}

export interface NestedCatalogRef {
  readonly path: string;
  readonly hash: ContentHash;
  readonly size: number;
}

/** An open catalog. `close()` releases the database and removes its temporary file. */
export class Catalog {
  private readonly listStmt: StatementSync;
  private readonly lookupStmt: StatementSync;
  private readonly chunksStmt: StatementSync;

  private constructor(
    private readonly db: DatabaseSync,
    private readonly file: string,
    readonly what: string,
    readonly properties: Readonly<Record<string, string>>,
  ) {
    const revision = Number(properties.schema_revision ?? 0);
    const columns = [
      'hash, hardlinks, size, mode, mtime',
      revision >= 7 ? 'mtimens' : 'NULL AS mtimens',
      'flags, name, symlink, uid, gid',
      revision >= 2 ? 'xattr' : 'NULL AS xattr',
      'md5path_1, md5path_2',
    ].join(', ');
    this.listStmt = db.prepare(`SELECT ${columns} FROM catalog WHERE parent_1 = ? AND parent_2 = ?`);
    this.lookupStmt = db.prepare(`SELECT ${columns} FROM catalog WHERE md5path_1 = ? AND md5path_2 = ?`);
    this.chunksStmt = db.prepare(
      'SELECT offset, size, hash FROM chunks WHERE md5path_1 = ? AND md5path_2 = ? ORDER BY offset',
    );
  }

  /** Inflated catalog bytes → an open catalog; `tempDir` holds the database file while it is open. */
  static async open(
    data: Uint8Array,
    options: { tempDir: string; name: string; what: string },
  ): Promise<Catalog> {
    const file = join(options.tempDir, `${options.name}.sqlite`);
    await writeFile(file, data);
    const db = await openReadOnly(file, options.what);
    try {
      const properties: Record<string, string> = {};
      for (const row of db.prepare('SELECT key, value FROM properties').all()) {
        properties[String(row.key)] = String(row.value);
      }
      const schema = Number(properties.schema ?? '0');
      if (!(schema >= 2.1 - 1e-6)) {
        throw new VmlError('E_CORRUPT', `Cannot read ${options.what}: catalog schema ${schema} is too old`, {
          hint: 'VML reads catalogs of schema 2.1 and later (CernVM-FS 2.1 and newer)',
        });
      }
      return new Catalog(db, file, options.what, properties);
    } catch (error) {
      db.close();
      await rm(file, { force: true });
      throw isSqliteError(error) ? corrupt(options.what, error) : error;
    }
  }

  /** The revision this catalog was published in. */
  get revision(): number {
    return Number(this.properties.revision ?? 0);
  }

  /** The root catalog of the previous revision (root catalogs only). */
  get previousRevision(): ContentHash | undefined {
    const prev = this.properties.previous_revision;
    return prev ? parseHash(prev, `the previous_revision property of ${this.what}`) : undefined;
  }

  /** The entry at `path` ("" is the repository root), or undefined. */
  lookup(path: string): CatalogEntry | undefined {
    const [k1, k2] = pathKey(path);
    const row = this.guard(() => this.lookupStmt.get(k1, k2));
    return row ? this.decode(row, path.slice(0, path.lastIndexOf('/'))) : undefined;
  }

  /** The entries of directory `path`, sorted by name. */
  list(path: string): CatalogEntry[] {
    const [k1, k2] = pathKey(path);
    const rows = this.guard(() => this.listStmt.all(k1, k2));
    return rows
      .filter((r) => !(r.md5path_1 === k1 && r.md5path_2 === k2)) // the root entry is its own parent
      .map((r) => this.decode(r, path))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Chunks of a chunked file, checked to cover the file exactly, in offset order. */
  chunks(entry: CatalogEntry): Chunk[] {
    const [k1, k2] = pathKey(entry.path);
    const rows = this.guard(() => this.chunksStmt.all(k1, k2));
    let expected = 0;
    const chunks = rows.map((r) => {
      const chunk = {
        offset: num(r.offset),
        size: num(r.size),
        hash: hashFromBlob(r.hash as Uint8Array, entry.flags, `a chunk of ${entry.path} in ${this.what}`),
      };
      if (chunk.offset !== expected)
        throw corrupt(this.what, `the chunks of ${entry.path} leave a gap at ${expected}`);
      expected += chunk.size;
      return chunk;
    });
    if (expected !== entry.size) {
      throw corrupt(
        this.what,
        `the chunks of ${entry.path} cover ${expected} bytes, the file has ${entry.size}`,
      );
    }
    return chunks;
  }

  /** Nested catalogs referenced by this one (not bind mount points, which link old snapshots). */
  nested(): NestedCatalogRef[] {
    const sizeColumn = Number(this.properties.schema_revision ?? 0) >= 1 ? 'size' : '0 AS size';
    const rows = this.guard(() =>
      this.db.prepare(`SELECT path, sha1, ${sizeColumn} FROM nested_catalogs`).all(),
    );
    return rows.map((r) => ({
      path: String(r.path),
      hash: parseHash(String(r.sha1), `the nested catalog of ${String(r.path)} in ${this.what}`),
      size: num(r.size),
    }));
  }

  async close(): Promise<void> {
    this.db.close();
    await rm(this.file, { force: true });
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw isSqliteError(error) ? corrupt(this.what, error) : error;
    }
  }

  private decode(row: Record<string, unknown>, parent: string): CatalogEntry {
    const flags = num(row.flags);
    const name = String(row.name ?? '');
    const path = parent === '' && name === '' ? '' : `${parent}/${name}`;
    const kind: EntryKind =
      flags & FLAG.dir ? 'dir' : flags & FLAG.link ? 'symlink' : flags & FLAG.special ? 'special' : 'file';
    const hardlinks = typeof row.hardlinks === 'bigint' ? row.hardlinks : BigInt(num(row.hardlinks));
    const blob = row.hash as Uint8Array | null;
    const where = `${path || '/'} in ${this.what}`;
    return {
      path,
      name,
      kind,
      mode: num(row.mode),
      size: num(row.size),
      mtime: num(row.mtime),
      mtimeNs: row.mtimens === null || row.mtimens === undefined ? undefined : num(row.mtimens),
      uid: num(row.uid),
      gid: num(row.gid),
      flags,
      hash: kind === 'file' && blob && blob.length > 0 ? hashFromBlob(blob, flags, where) : undefined,
      compressed: ((flags >> 11) & 7) === 0,
      chunked: (flags & FLAG.chunked) !== 0,
      external: (flags & FLAG.external) !== 0,
      nestedMountpoint: (flags & FLAG.nestedMountpoint) !== 0,
      target: kind === 'symlink' ? String(row.symlink ?? '') : undefined,
      hardlinkGroup: Number(hardlinks >> 32n),
      linkcount: Number(hardlinks & 0xffffffffn),
      xattrs: row.xattr ? decodeXattrs(row.xattr as Uint8Array, where) : undefined,
    };
  }
}

function isSqliteError(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === 'ERR_SQLITE_ERROR';
}

function corrupt(what: string, detail: unknown): VmlError {
  const text = typeof detail === 'string' ? detail : (detail as Error).message;
  return new VmlError('E_CORRUPT', `Cannot read ${what}: ${text}`, {
    hint: 'The catalog is damaged or not a CernVM-FS catalog; report it to the repository maintainers',
    cause: typeof detail === 'string' ? undefined : detail,
  });
}
