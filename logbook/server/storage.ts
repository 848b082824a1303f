/**
 * Where the server keeps logbook files: one namespace per owner, each a complete logbook behind the Backend
 * interface. A namespace is the unit of privacy (docs/server.md, "Privacy"): deduplication, listings and
 * existence queries never cross it. A later S3 storage maps namespaces to key prefixes.
 */
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { DirBackend } from '../backend/dir.js';

/**
 * The namespace of published (public) versions (docs/server.md, "Public versions"). It is not a user: a user
 * name starts with a letter (auth.ts checkUserName), so no user can be given this namespace.
 */
export const PUBLIC_NAMESPACE = '_public';

/** Opens owner namespaces, and the public one as `namespace(PUBLIC_NAMESPACE)`. */
export interface Storage {
  /** For messages. */
  readonly location: string;
  /** The namespace of `owner` (a checked user name), made on first use. The backend is shared: do not close it. */
  namespace(owner: string): Promise<Backend>;
  close(): Promise<void>;
}

/** Namespaces as `dir:` logbooks: `<root>/owners/<user>/`, and `<root>/public/` for the public one. */
export class DirStorage implements Storage {
  readonly root: string;
  readonly location: string;
  readonly #open = new Map<string, Promise<Backend>>();

  constructor(root: string) {
    this.root = root;
    this.location = `dir:${root}`;
  }

  namespace(owner: string): Promise<Backend> {
    let backend = this.#open.get(owner);
    if (!backend) {
      // create() only makes missing directories, so it doubles as open for an existing namespace.
      const dir = owner === PUBLIC_NAMESPACE ? join(this.root, 'public') : join(this.root, 'owners', owner);
      backend = DirBackend.create(dir);
      backend.catch(() => this.#open.delete(owner));
      this.#open.set(owner, backend);
    }
    return backend;
  }

  async close(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.allSettled(all.map(async (b) => (await b).close()));
  }
}
