/**
 * Partial uploads of resumable saves (docs/server.md, "Resumable uploads"): one session per file being
 * uploaded, kept in a temp area per owner, outside the owner's logbook namespace, so no read, listing or
 * `missing` query ever sees a partial file. A session is committed into the namespace through the same
 * checks and atomic save as a plain POST, abandoned by the client, or expired after a day.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileType } from '../backend/backend.js';

/** A session expires this long after it was created (the agent's backup has long given up by then). */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
/**
 * Open sessions a user may have at once: an agent uploads at most four files at a time, so this leaves
 * room for a few agents and for sessions abandoned by dropped connections, while bounding the disk a user
 * can hold outside the quota to MAX_OPEN_UPLOADS × MAX_FILE_BYTES for a day.
 */
export const MAX_OPEN_UPLOADS = 16;

/** What a session will become once committed. */
export interface UploadTarget {
  readonly type: FileType;
  readonly name: string;
  /** Total bytes the client will send. */
  readonly size: number;
  /** SHA-256 hex of the whole body, checked at commit: a resumed upload must add up to the same bytes. */
  readonly sha256: string;
}

export interface UploadSession extends UploadTarget {
  readonly id: string;
  readonly created: number;
}

/** Sessions of one server, each confined to its owner: every call takes the owner from the caller. */
export interface UploadArea {
  create(owner: string, target: UploadTarget): Promise<UploadSession>;
  /** The owner's session with this id, or undefined (also for another owner's id). */
  find(owner: string, id: string): Promise<UploadSession | undefined>;
  /** Bytes received so far. */
  received(owner: string, session: UploadSession): Promise<number>;
  /**
   * Appends `body` at `offset` (which must be the received count), writing each piece as it arrives, so a
   * connection dropped mid-body keeps what came; returns the new received count. Throws if the body would
   * run past the declared size.
   */
  append(
    owner: string,
    session: UploadSession,
    offset: number,
    body: AsyncIterable<Uint8Array>,
  ): Promise<number>;
  /** The owner's sessions that have not expired, in no particular order. */
  list(owner: string): Promise<UploadSession[]>;
  /** The whole received body. */
  read(owner: string, session: UploadSession): Promise<Buffer>;
  remove(owner: string, id: string): Promise<void>;
  /** Removes the owner's sessions older than UPLOAD_EXPIRY_MS; returns how many. */
  expire(owner: string, now?: number): Promise<number>;
}

const ID_PATTERN = /^[0-9a-f]{32}$/;

/** Sessions as files: `<root>/<owner>/<id>.json` (the target) and `<id>.part` (the bytes so far). */
export class DirUploadArea implements UploadArea {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async create(owner: string, target: UploadTarget): Promise<UploadSession> {
    const dir = join(this.#root, owner);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const session: UploadSession = { ...target, id: randomBytes(16).toString('hex'), created: Date.now() };
    await writeFile(join(dir, `${session.id}.part`), new Uint8Array(0), { mode: 0o600, flag: 'wx' });
    await writeFile(join(dir, `${session.id}.json`), JSON.stringify(session), { mode: 0o600 });
    return session;
  }

  async find(owner: string, id: string): Promise<UploadSession | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    try {
      const session = JSON.parse(await readFile(this.#path(owner, id, 'json'), 'utf8')) as UploadSession;
      return Date.now() - session.created > UPLOAD_EXPIRY_MS ? undefined : session;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async received(owner: string, session: UploadSession): Promise<number> {
    return (await stat(this.#path(owner, session.id, 'part'))).size;
  }

  async append(
    owner: string,
    session: UploadSession,
    offset: number,
    body: AsyncIterable<Uint8Array>,
  ): Promise<number> {
    const file = await open(this.#path(owner, session.id, 'part'), 'r+');
    let position = offset;
    try {
      for await (const piece of body) {
        if (position + piece.byteLength > session.size) {
          throw new RangeError(`The body runs past the declared size of ${session.size} bytes`);
        }
        await file.write(piece, 0, piece.byteLength, position);
        position += piece.byteLength;
      }
    } finally {
      await file.close();
    }
    return position;
  }

  async list(owner: string): Promise<UploadSession[]> {
    const sessions: UploadSession[] = [];
    for (const name of await this.#names(owner)) {
      const id = name.slice(0, -'.json'.length);
      if (!name.endsWith('.json') || !ID_PATTERN.test(id)) continue;
      const session = await this.find(owner, id).catch(() => undefined); // removed meanwhile, or torn
      if (session) sessions.push(session);
    }
    return sessions;
  }

  read(owner: string, session: UploadSession): Promise<Buffer> {
    return readFile(this.#path(owner, session.id, 'part'));
  }

  async remove(owner: string, id: string): Promise<void> {
    if (!ID_PATTERN.test(id)) return;
    // The target first: without it the session no longer exists, whatever happens to the part file.
    await rm(this.#path(owner, id, 'json'), { force: true });
    await rm(this.#path(owner, id, 'part'), { force: true });
  }

  async expire(owner: string, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await this.#names(owner)) {
      const id = name.slice(0, -'.part'.length);
      if (!name.endsWith('.part') || !ID_PATTERN.test(id)) continue;
      const target = await readFile(this.#path(owner, id, 'json'), 'utf8').catch(() => undefined);
      // A part file without its target is debris of a crash during create: judged by its age alone.
      const born = target
        ? (JSON.parse(target) as UploadSession).created
        : ((await stat(join(this.#root, owner, name)).catch(() => undefined))?.mtimeMs ?? now);
      if (now - born > UPLOAD_EXPIRY_MS) {
        await this.remove(owner, id);
        removed++;
      }
    }
    return removed;
  }

  async #names(owner: string): Promise<string[]> {
    try {
      return await readdir(join(this.#root, owner));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  #path(owner: string, id: string, ext: 'json' | 'part'): string {
    return join(this.#root, owner, `${id}.${ext}`);
  }
}
