/**
 * Opening a repository from its resolved source (servers, keys, proxies), and probing one: does its
 * signed manifest verify, and which revision does it publish. Shared by `software list|enable`, preload
 * and the cvmfs step.
 */
import { join } from 'node:path';
import { routeName } from './proxy.js';
import { Repository } from './repository.js';
import { resolveSource, type Source, type SourceFlags } from './source.js';

export interface OpenOptions {
  /** Where inflated catalogs live while open. */
  readonly tempDir: string;
  /** Local object cache; none: no cache. */
  readonly cacheDir?: string | undefined;
  /** File of the highest revisions seen (rollback detection). */
  readonly seenRevisions?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
  readonly onDebug?: ((message: string) => void) | undefined;
}

/** Where `software list|enable` and the cvmfs step keep the revisions they saw, below the root. */
export const SEEN_REVISIONS = 'var/lib/vml/software/.vml-preload/revisions.json';

/** Opens (fetches and verifies) the repository of `source`; warns about proxy entries it passes over. */
export async function openSource(source: Source, options: OpenOptions): Promise<Repository> {
  for (const { entry, reason } of source.skippedProxies) {
    options.onWarning?.(`HTTP proxy "${entry}" skipped for "${source.fqrn}": ${reason}`);
  }
  options.onDebug?.(`"${source.fqrn}": routes ${source.routes.map(routeName).join(', ')}`);
  return Repository.open({
    fqrn: source.fqrn,
    servers: source.servers,
    externalUrls: source.externalUrls,
    routes: source.routes,
    keys: source.keys,
    blacklist: source.blacklist,
    cacheDir: options.cacheDir,
    seenRevisions: options.seenRevisions,
    tempDir: options.tempDir,
    signal: options.signal,
    onRetry: options.onDebug,
  });
}

/** What a probe of one repository found. */
export interface ProbeResult {
  readonly repository: string;
  readonly servers: readonly string[];
  readonly ok: boolean;
  readonly revision?: number;
  /** Publish time, ISO 8601. */
  readonly published?: string;
  readonly rootCatalog?: string;
  /** Why the probe failed. */
  readonly message?: string;
}

/**
 * Probes `fqrn` with the root's configuration (and `flags`): never throws for an unreachable or
 * unverifiable repository (that is a result with ok false), only when `signal` aborts.
 */
export async function probeRepository(
  root: string,
  fqrn: string,
  flags: SourceFlags,
  options: OpenOptions,
): Promise<ProbeResult> {
  let servers: readonly string[] = [];
  try {
    const source = await resolveSource(root, fqrn, flags);
    servers = source.servers;
    const repo = await openSource(source, {
      seenRevisions: join(root, SEEN_REVISIONS),
      ...options,
    });
    return {
      repository: fqrn,
      servers,
      ok: true,
      revision: repo.manifest.revision,
      published: new Date(repo.manifest.published * 1000).toISOString(),
      rootCatalog: repo.manifest.fields.C ?? '',
    };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { repository: fqrn, servers, ok: false, message: (error as Error).message };
  }
}

/** A repository name as CVMFS_REPOSITORIES may write it ("atlas") completed with the default domain. */
export function fullName(name: string, defaultDomain: string | undefined): string {
  return name.includes('.') ? name : `${name}.${defaultDomain || 'cern.ch'}`;
}
