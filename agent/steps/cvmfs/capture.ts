/**
 * What the cvmfs step records: the client configuration a user or site wrote (default.local, the
 * domain.d overrides, config.d), the settings that matter (repositories, proxy, quota), and for each
 * repository the revision and root hash it serves, from the mounted repository's extended attributes or,
 * when asked, from its signed manifest.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readClientConfig, splitList } from '../../software/cvmfs/config.js';
import { fullName, probeRepository } from '../../software/cvmfs/probe.js';
import { readXattrs } from '../files/xattrs.js';

/** One configuration file, root-relative, with the lines that looked like secrets left out. */
export interface ConfigFile {
  readonly path: string;
  readonly text: string;
  /** Lines left out because they looked like a password or token. */
  readonly omitted: number;
}

export interface RepositoryState {
  readonly repository: string;
  readonly revision?: number;
  readonly rootHash?: string;
  /** Where the revision came from: the mounted repository, a probe of its manifest, or nowhere. */
  readonly source: 'mount' | 'probe' | 'none';
  /** Why the revision is unknown (probe failed). */
  readonly message?: string;
}

export interface CvmfsFacts {
  readonly files: readonly ConfigFile[];
  /** CVMFS_REPOSITORIES as full names. */
  readonly repositories: readonly string[];
  readonly proxy?: string;
  readonly quota?: string;
  readonly states: readonly RepositoryState[];
}

/** Lines never recorded: anything that names a password, token, secret or credential. */
const SECRET_LINE = /pass(word|wd)?\b|token|secret|credential|private[_-]?key|:\/\/[^/@\s]+:[^/@\s]*@/i;

/** The files a user or site writes (package-owned default.conf and domain .conf files are left out). */
async function configFiles(root: string): Promise<ConfigFile[]> {
  const names = ['etc/cvmfs/default.local'];
  const list = async (dir: string, keep: (n: string) => boolean) =>
    (await readdir(join(root, dir)).catch(() => [] as string[]))
      .filter(keep)
      .sort()
      .map((n) => `${dir}/${n}`);
  names.push(...(await list('etc/cvmfs/domain.d', (n) => n.endsWith('.local'))));
  names.push(...(await list('etc/cvmfs/config.d', (n) => n.endsWith('.local') || n.endsWith('.conf'))));
  const files: ConfigFile[] = [];
  for (const path of names) {
    const text = await readFile(join(root, path), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const lines = text.split('\n');
    const kept = lines.filter((l) => !SECRET_LINE.test(l));
    files.push({ path, text: kept.join('\n'), omitted: lines.length - kept.length });
  }
  return files;
}

/** user.revision and user.root_hash of /cvmfs/REPO when it is mounted under the root. */
async function mountedState(root: string, fqrn: string): Promise<RepositoryState | undefined> {
  const path = join(root, 'cvmfs', fqrn);
  const attrs = (await readXattrs([path])).get(path);
  const decode = (v: string | undefined) =>
    v === undefined ? undefined : Buffer.from(v, 'base64').toString().trim();
  const revision = decode(attrs?.['user.revision']);
  const rootHash = decode(attrs?.['user.root_hash']);
  if (revision === undefined || !/^\d+$/.test(revision)) return undefined;
  return { repository: fqrn, revision: Number(revision), ...(rootHash ? { rootHash } : {}), source: 'mount' };
}

/** Captures the facts; probes repositories that are not mounted when `probe` is true. */
export async function captureCvmfs(
  root: string,
  options: { readonly probe: boolean; readonly signal?: AbortSignal | undefined },
): Promise<CvmfsFacts> {
  const config = await readClientConfig(root, 'default.invalid');
  const repositories = splitList(config.CVMFS_REPOSITORIES, ',').map((n) =>
    fullName(n, config.CVMFS_DEFAULT_DOMAIN),
  );
  const states: RepositoryState[] = [];
  const tempDir = await mkdtemp(join(tmpdir(), 'vml-cvmfs-step-'));
  try {
    for (const fqrn of repositories) {
      const mounted = await mountedState(root, fqrn);
      if (mounted) {
        states.push(mounted);
      } else if (options.probe) {
        // A backup reads the root; it does not record revisions into it (no seen-revisions file).
        const p = await probeRepository(
          root,
          fqrn,
          {},
          { tempDir, signal: options.signal, seenRevisions: undefined },
        );
        states.push(
          p.ok
            ? { repository: fqrn, revision: p.revision ?? 0, rootHash: p.rootCatalog ?? '', source: 'probe' }
            : { repository: fqrn, source: 'none', message: p.message ?? '' },
        );
      } else {
        states.push({ repository: fqrn, source: 'none' });
      }
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  return {
    files: await configFiles(root),
    repositories,
    ...(config.CVMFS_HTTP_PROXY !== undefined ? { proxy: config.CVMFS_HTTP_PROXY } : {}),
    ...(config.CVMFS_QUOTA_LIMIT !== undefined ? { quota: config.CVMFS_QUOTA_LIMIT } : {}),
    states,
  };
}
