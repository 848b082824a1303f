/**
 * A verified, read-only view of one repository over HTTP: the manifest is accepted only after the whole
 * signature chain checks out, and every object after its hash; older revisions are found through the
 * history database or the catalogs' previous-revision links (both covered by the signed manifest).
 */
import { VmlError } from '../../../core/errors.js';
import { Catalog, type CatalogEntry, type Chunk } from './catalog.js';
import { type ContentHash, hashToString, SUFFIX } from './hash.js';
import { readTags } from './history.js';
import { HttpFetcher } from './http.js';
import { type Manifest, parseManifest } from './manifest.js';
import { ObjectStore } from './objects.js';
import type { Route } from './proxy.js';
import { checkRollback, recordRevision } from './seen-revisions.js';
import { verifyManifestSignature } from './trust.js';
import { type MasterKey, verifyWhitelist, type Whitelist } from './whitelist.js';

export interface RepositoryOptions {
  readonly fqrn: string;
  /** Repository URLs, expanded. */
  readonly servers: readonly string[];
  /** Proxies and DIRECT in failover order; default DIRECT. */
  readonly routes?: readonly Route[] | undefined;
  readonly keys: readonly MasterKey[];
  readonly blacklist?: readonly string[];
  /** Local object cache (catalogs, certificates, history); none: no cache. */
  readonly cacheDir?: string | undefined;
  /** Where inflated catalogs live while they are open. */
  readonly tempDir: string;
  readonly signal?: AbortSignal | undefined;
  readonly onRetry?: ((message: string) => void) | undefined;
  /** CVMFS_EXTERNAL_URL servers of external files, expanded; none: external files cannot be read. */
  readonly externalUrls?: readonly string[] | undefined;
  /** File of the highest revisions seen (rollback detection, seen-revisions.ts); none: no check. */
  readonly seenRevisions?: string | undefined;
  /** "Now" for the whitelist's expiry, for tests. */
  readonly now?: Date;
}

/** An entry of a walk, with the chunks of a chunked file and the mount point of its catalog. */
export interface WalkEntry extends CatalogEntry {
  readonly chunks: readonly Chunk[] | undefined;
  readonly catalog: string;
}

export class Repository {
  catalogsOpened = 0;

  private constructor(
    readonly fqrn: string,
    readonly manifest: Manifest,
    readonly whitelist: Whitelist,
    readonly http: HttpFetcher,
    readonly objects: ObjectStore,
    private readonly tempDir: string,
    /** Fetcher of external files (CVMFS_EXTERNAL_URL), if configured. */
    readonly external: HttpFetcher | undefined,
  ) {}

  /** Fetches and verifies manifest, whitelist and certificate. Throws E_CORRUPT when any check fails. */
  static async open(options: RepositoryOptions): Promise<Repository> {
    const { fqrn } = options;
    const http = new HttpFetcher({
      servers: options.servers,
      ...(options.routes ? { routes: options.routes } : {}),
      fqrn,
      signal: options.signal,
      onRetry: options.onRetry,
    });
    const objects = new ObjectStore({ http, fqrn, cacheDir: options.cacheDir });
    // A manifest that does not parse is a server problem (try the next one); a bad signature is decided below.
    const manifestBytes = await http.get('.cvmfspublished', (body) => {
      try {
        parseManifest(body, fqrn);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    });
    const manifest = parseManifest(manifestBytes, fqrn);
    const whitelist = verifyWhitelist(await http.get('.cvmfswhitelist'), fqrn, {
      keys: options.keys,
      ...(options.now ? { now: options.now } : {}),
    });
    const certificate = await objects.content(manifest.certificate, SUFFIX.certificate);
    verifyManifestSignature(manifest, certificate, whitelist, options.blacklist);
    if (options.seenRevisions) {
      await checkRollback(options.seenRevisions, fqrn, manifest.revision);
      await recordRevision(options.seenRevisions, fqrn, manifest.revision);
    }
    const external = options.externalUrls?.length
      ? new HttpFetcher({
          servers: options.externalUrls,
          ...(options.routes ? { routes: options.routes } : {}),
          fqrn,
          signal: options.signal,
          onRetry: options.onRetry,
        })
      : undefined;
    return new Repository(fqrn, manifest, whitelist, http, objects, options.tempDir, external);
  }

  /** Opens a catalog by hash (fetched or cached, verified, inflated). */
  async catalog(hash: ContentHash, mountpoint: string): Promise<Catalog> {
    const data = await this.objects.content(hash, SUFFIX.catalog);
    this.catalogsOpened++;
    return Catalog.open(data, {
      tempDir: this.tempDir,
      name: `${hashToString(hash)}-${this.catalogsOpened}`,
      what: `the catalog of "${this.fqrn}:${mountpoint || '/'}" (${hashToString(hash)})`,
    });
  }

  /** The root catalog of `revision` (default: the manifest's). Throws E_NOT_FOUND for an unknown one. */
  async rootCatalog(revision?: number): Promise<ContentHash> {
    const current = this.manifest.revision;
    if (revision === undefined || revision === current) return this.manifest.rootCatalog;
    if (revision > current || revision < 0) {
      throw new VmlError('E_NOT_FOUND', `Repository "${this.fqrn}" has no revision ${revision}`, {
        hint: `The newest revision is ${current}`,
      });
    }
    if (this.manifest.history) {
      const data = await this.objects.content(this.manifest.history, SUFFIX.history);
      const tags = await readTags(data, { tempDir: this.tempDir, what: `the history of "${this.fqrn}"` });
      const tag = tags.find((t) => t.revision === revision);
      if (tag) return tag.rootCatalog;
    }
    // Untagged revision: follow the previous-revision links of the root catalogs.
    let hash = this.manifest.rootCatalog;
    for (let n = current; n > revision; n--) {
      const catalog = await this.catalog(hash, '');
      const previous = catalog.previousRevision;
      await catalog.close();
      if (!previous) break;
      hash = previous;
    }
    const catalog = await this.catalog(hash, '');
    const found = catalog.revision;
    await catalog.close();
    if (found !== revision) {
      throw new VmlError('E_NOT_FOUND', `Cannot find revision ${revision} of "${this.fqrn}"`, {
        hint: 'It is neither tagged nor reachable through the previous-revision links',
      });
    }
    return hash;
  }

  /**
   * Every entry at and below `path` ("/lcg/releases") in the tree of root catalog `root`, parents before
   * children, crossing into nested catalogs. Throws E_NOT_FOUND when `path` does not exist.
   */
  async walk(root: ContentHash, path: string): Promise<WalkEntry[]> {
    const target = path === '/' ? '' : path.replace(/\/+$/, '');
    let mount = '';
    let catalog = await this.catalog(root, '');
    try {
      for (;;) {
        const next = catalog.nested().find((n) => target === n.path || target.startsWith(`${n.path}/`));
        if (!next || next.path === target) break;
        const child = await this.catalog(next.hash, next.path);
        await catalog.close();
        catalog = child;
        mount = next.path;
      }
      const top = catalog.lookup(target);
      if (!top) {
        throw new VmlError(
          'E_NOT_FOUND',
          `"${this.fqrn}:${target || '/'}" does not exist in revision ${catalog.revision}`,
          {
            hint: 'Check the path; "vml-agent software list" shows the repositories and their revisions',
          },
        );
      }
      const out: WalkEntry[] = [];
      await this.collect(catalog, mount, top, out);
      return out;
    } finally {
      await catalog.close();
    }
  }

  private async collect(
    catalog: Catalog,
    mount: string,
    entry: CatalogEntry,
    out: WalkEntry[],
  ): Promise<void> {
    out.push({ ...entry, catalog: mount || '/', chunks: entry.chunked ? catalog.chunks(entry) : undefined });
    if (entry.kind !== 'dir') return;
    if (entry.nestedMountpoint && entry.path !== mount) {
      const ref = catalog.nested().find((n) => n.path === entry.path);
      if (!ref) {
        throw new VmlError(
          'E_CORRUPT',
          `${catalog.what} marks ${entry.path} as a nested catalog but lists none`,
        );
      }
      const child = await this.catalog(ref.hash, ref.path);
      try {
        for (const e of child.list(entry.path)) await this.collect(child, entry.path, e, out);
      } finally {
        await child.close();
      }
      return;
    }
    for (const e of catalog.list(entry.path)) await this.collect(catalog, mount, e, out);
  }
}
