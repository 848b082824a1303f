/**
 * The `s3:`/`s3s:` backend: a logbook in an S3 bucket (CERN runs Ceph radosgw), spoken to with
 * @aws-sdk/client-s3 in path style. Keys are `<prefix>/config` and `<prefix>/<type>/<name>` (no sharding:
 * S3 is flat). A PUT is atomic, so readers never see a partial file.
 *
 * Conditional writes: content-addressed files (every type but `config` and `locks`) are PUT with
 * `If-None-Match: *`, so a writer never replaces an object another one made; a 412 means the same bytes are
 * there already (the name is their hash), which is success. `config` and locks are plain PUTs, which
 * replace: a lock is refreshed by saving it again, possibly through another server or after a restart, and
 * the backend cannot tell a refresh from a creation. Two writers still never share a lock, as lock names
 * are 128 random bits (logbook/locks.ts).
 *
 * The SDK's own retries are off: TRANSIENT errors go to the one retry wrapper of open.ts.
 * registry.ts imports this module lazily, so commands that never touch S3 never load the SDK.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  type Backend,
  BackendError,
  describeHandle,
  type FileInfo,
  type FileType,
  type Handle,
  type IoOptions,
  isBackendError,
  type LoadOptions,
} from './backend.js';
import { checkHandle, checkRange } from './dir.js';
import { type S3Credentials, type S3Location, s3Error } from './s3-location.js';

/** Options of S3Backend. */
export interface S3BackendOptions {
  /** Keys per list request (S3's default and maximum is 1000); tests pass a few to exercise paging. */
  readonly pageSize?: number;
}

/** A logbook under one key prefix of one bucket. Opening touches nothing; `createBucket` makes the bucket. */
export class S3Backend implements Backend {
  readonly location: string;
  readonly properties = { connections: 8, atomicReplace: true } as const;
  readonly #where: S3Location;
  readonly #client: S3Client;
  /** Whether `close` ends the client: not for a `child`, which shares its parent's. */
  readonly #ownsClient: boolean;
  readonly #bucket: string;
  /** "" or "some/prefix/" */
  readonly #prefix: string;
  readonly #pageSize: number | undefined;

  constructor(where: S3Location, credentials: S3Credentials | S3Client, options: S3BackendOptions = {}) {
    this.location = where.display;
    this.#where = where;
    this.#bucket = where.bucket;
    this.#prefix = where.prefix === '' ? '' : `${where.prefix}/`;
    this.#pageSize = options.pageSize;
    this.#ownsClient = !(credentials instanceof S3Client);
    this.#client =
      credentials instanceof S3Client
        ? credentials
        : new S3Client({
            endpoint: where.endpoint,
            region: process.env.AWS_REGION ?? 'us-east-1',
            forcePathStyle: true,
            credentials,
            maxAttempts: 1,
            // radosgw does not know the SDK's default CRC32 trailers; SigV4 already covers the body.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          });
  }

  /**
   * The logbook under `<prefix>/<sub>/` of the same bucket, over the same connection pool (the server's
   * namespaces). `sub` is one or more checked path components. Closing the child leaves the pool open.
   */
  child(sub: string): S3Backend {
    const prefix = this.#where.prefix === '' ? sub : `${this.#where.prefix}/${sub}`;
    const where = { ...this.#where, prefix, display: `${this.#where.display}/${sub}` };
    return new S3Backend(where, this.#client, { ...(this.#pageSize ? { pageSize: this.#pageSize } : {}) });
  }

  /** Makes the bucket unless it exists already and is ours. */
  async createBucket(options?: IoOptions): Promise<void> {
    try {
      await this.#client.send(new CreateBucketCommand({ Bucket: this.#bucket }), this.#http(options));
    } catch (error) {
      if ((error as { name?: string }).name === 'BucketAlreadyOwnedByYou') return;
      throw s3Error(error, `the bucket of "${this.location}"`, options?.signal);
    }
  }

  async save(h: Handle, data: Uint8Array, options?: IoOptions): Promise<void> {
    checkHandle(h);
    options?.signal?.throwIfAborted();
    const replace = h.type === 'config' || h.type === 'locks';
    const put = new PutObjectCommand({
      Bucket: this.#bucket,
      Key: this.#key(h),
      Body: data,
      ContentLength: data.byteLength,
      ...(replace ? {} : { IfNoneMatch: '*' }),
    });
    try {
      await this.#client.send(put, this.#http(options));
    } catch (error) {
      if (!isPreconditionFailed(error)) throw s3Error(error, this.#what(h), options?.signal);
    }
  }

  async load(h: Handle, options?: LoadOptions): Promise<Uint8Array> {
    checkHandle(h);
    options?.signal?.throwIfAborted();
    const offset = options?.offset ?? 0;
    const length = options?.length;
    if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && !(length >= 0))) {
      throw new BackendError('RANGE', `Cannot read ${length} bytes at ${offset} of ${this.#what(h)}`);
    }
    // S3 has no empty range: check the size, then answer without reading.
    if (length === 0) return this.#loadNothing(h, options);
    const range =
      offset === 0 && length === undefined
        ? undefined
        : `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
    try {
      const got = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(h), Range: range }),
        this.#http(options),
      );
      const body = (await got.Body?.transformToByteArray()) ?? new Uint8Array(0);
      // A range past the end comes back short rather than refused; files are write-once, so short is RANGE.
      if (length !== undefined && body.byteLength !== length) {
        throw new BackendError(
          'RANGE',
          `Cannot read ${length} bytes at ${offset} of ${this.#what(h)}: it ends sooner`,
        );
      }
      return body;
    } catch (error) {
      const failure = s3Error(error, this.#what(h), options?.signal);
      // "bytes=SIZE-" is refused, yet reading the rest from the very end is an empty read.
      if (isBackendError(failure, 'RANGE') && length === undefined) return this.#loadNothing(h, options);
      throw failure;
    }
  }

  // Resolves to no bytes if the range asked of `h` is empty and inside the file, else throws RANGE.
  async #loadNothing(h: Handle, options: LoadOptions | undefined): Promise<Uint8Array> {
    const { size } = await this.stat(h, options);
    const [, length] = checkRange(options, size, describeHandle(h));
    if (length !== 0) throw new BackendError('RANGE', `Cannot read the range asked of ${this.#what(h)}`);
    return new Uint8Array(0);
  }

  async stat(h: Handle, options?: IoOptions): Promise<FileInfo> {
    checkHandle(h);
    options?.signal?.throwIfAborted();
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(h) }),
        this.#http(options),
      );
      return {
        type: h.type,
        name: h.name,
        size: head.ContentLength ?? 0,
        mtimeMs: head.LastModified?.getTime() ?? 0,
      };
    } catch (error) {
      throw s3Error(error, this.#what(h), options?.signal);
    }
  }

  async *list(type: FileType, options?: IoOptions): AsyncIterable<FileInfo> {
    const prefix = type === 'config' ? this.#prefix : `${this.#prefix}${type}/`;
    let token: string | undefined;
    do {
      options?.signal?.throwIfAborted();
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            // `config` sits beside the type "directories": list only the top level there.
            ...(type === 'config' ? { Delimiter: '/' } : {}),
            ContinuationToken: token,
            MaxKeys: this.#pageSize,
          }),
          this.#http(options),
        );
      } catch (error) {
        throw s3Error(error, `the ${type} files of "${this.location}"`, options?.signal);
      }
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(prefix.length) ?? '';
        if (!isListedName(type, name)) continue;
        yield { type, name, size: object.Size ?? 0, mtimeMs: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async remove(h: Handle, options?: IoOptions): Promise<void> {
    checkHandle(h);
    options?.signal?.throwIfAborted();
    try {
      // S3 answers 204 for a key that is not there: removing is idempotent as the contract wants.
      await this.#client.send(
        new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(h) }),
        this.#http(options),
      );
    } catch (error) {
      throw s3Error(error, this.#what(h), options?.signal);
    }
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.#client.destroy();
  }

  #key(h: Handle): string {
    return h.type === 'config' ? `${this.#prefix}config` : `${this.#prefix}${h.type}/${h.name}`;
  }

  // `"data/3f…" on "s3://…"`, quotes included, for messages.
  #what(h: Handle): string {
    return `"${describeHandle(h)}" on "${this.location}"`;
  }

  // The SDK takes the abort signal per request.
  #http(options: IoOptions | undefined): { abortSignal?: AbortSignal } {
    return options?.signal === undefined ? {} : { abortSignal: options.signal };
  }
}

// Only names the logbook could have written: nothing deeper, nothing that would fail checkHandle.
function isListedName(type: FileType, name: string): boolean {
  if (type === 'config') return name === 'config';
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name) && (type !== 'data' || /^[0-9a-f]{2}/.test(name));
}

function isPreconditionFailed(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 412 || (error as { name?: string }).name === 'PreconditionFailed';
}
