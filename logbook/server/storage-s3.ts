/**
 * Server storage in an S3 bucket (`vml logbook serve --storage s3://HOST:PORT/BUCKET[/PREFIX]`): the same
 * namespaces as DirStorage, as key prefixes: `owners/<user>/` for a user, `<name>/` for a namespace that is
 * not a user (a name starting with "_", such as the public one, "_public" → `public/`). Each namespace is a
 * complete logbook behind the s3 Backend, so privacy holds as on disk: no listing, dedup or existence query
 * crosses a prefix. All namespaces share one connection pool. The SDK is loaded only when this storage is
 * used.
 */
import type { Backend } from '../backend/backend.js';
import { RetryingBackend } from '../backend/retry.js';
import type { S3Backend } from '../backend/s3.js';
import { parseS3Location, readS3Credentials } from '../backend/s3-location.js';
import type { Storage } from './storage.js';

/** Namespaces as key prefixes of one bucket. */
export class S3Storage implements Storage {
  readonly location: string;
  readonly #root: S3Backend;
  readonly #open = new Map<string, Backend>();

  private constructor(root: S3Backend) {
    this.#root = root;
    this.location = root.location;
  }

  /**
   * Opens the bucket `url` names, making it if it is missing, with the key pair of readS3Credentials.
   * Throws VmlError E_USAGE for a bad location, E_AUTH for missing or refused credentials.
   */
  static async open(url: string, env: NodeJS.ProcessEnv = process.env): Promise<S3Storage> {
    const where = parseS3Location(url);
    const credentials = readS3Credentials(env);
    const { S3Backend } = await import('../backend/s3.js');
    const root = new S3Backend(where, credentials);
    try {
      await root.createBucket();
    } catch (error) {
      await root.close();
      throw error;
    }
    return new S3Storage(root);
  }

  async namespace(owner: string): Promise<Backend> {
    let backend = this.#open.get(owner);
    if (!backend) {
      const prefix = owner.startsWith('_') ? owner.slice(1) : `owners/${owner}`;
      // A network hiccup between server and bucket is retried here, not turned into a 500 for the agent.
      backend = new RetryingBackend(this.#root.child(prefix), { retries: 3, baseDelayMs: 100 });
      this.#open.set(owner, backend);
    }
    return backend;
  }

  async close(): Promise<void> {
    this.#open.clear();
    await this.#root.close();
  }
}
