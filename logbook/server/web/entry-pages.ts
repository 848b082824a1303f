/**
 * What the entry and version pages share: which logbook a user reads an entry from, the one 404 they all
 * give, their URLs and number formats.
 *
 * Privacy (docs/server.md, "Privacy"): a user reads their own entries from their own namespace and anyone
 * else's from the public namespace only, so another user's private entry is absent for them exactly as an
 * entry that never existed is: same code path, same 404 page, and their namespace is never opened.
 */
import { isBackendError } from '../../backend/backend.js';
import type { Logbook, VersionRef } from '../../logbook.js';
import type { User } from '../metadata.js';
import { PUBLIC_NAMESPACE } from '../storage.js';
import { findVersion } from '../view/entries.js';
import type { PageContext, WebServices } from './page.js';
import { WebError } from './page.js';

const ENTRY_NAME = /^[a-z_][a-z0-9_.-]{0,31}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The one answer for an entry, version or file the user cannot see or that does not exist. */
export function notFound(): WebError {
  return new WebError(404, 'There is no such entry, version or file');
}

/**
 * The logbook of a namespace for this request, or undefined when nothing was ever stored there. Its versions
 * are listed afresh (a version added or deleted through another server shows), its manifests, index files
 * and trees come from the cache where they were read before (view/namespace-cache.ts).
 */
export function openNamespace(services: WebServices, namespace: string): Promise<Logbook | undefined> {
  return services.logbooks.open(namespace);
}

/** Where `user` reads `owner`'s entries: their own namespace, or else the public one. */
export async function logbookFor(ctx: PageContext<User>, owner: string): Promise<Logbook | undefined> {
  return openNamespace(ctx.services, owner === ctx.user.name ? owner : PUBLIC_NAMESPACE);
}

/** The entry named by the `:owner/:name` of the URL; 404 for a name no entry can have. */
export function entryParam(ctx: PageContext<User>): { entry: string; owner: string } {
  const owner = ctx.params.owner ?? '';
  const entry = `${owner}/${ctx.params.name ?? ''}`;
  if (!ENTRY_NAME.test(entry)) throw notFound();
  return { entry, owner };
}

/** The entry of the URL with the logbook it is read from and its versions (oldest first); 404 if none. */
export async function openEntry(
  ctx: PageContext<User>,
): Promise<{ entry: string; owner: string; logbook: Logbook; versions: VersionRef[]; own: boolean }> {
  const { entry, owner } = entryParam(ctx);
  const logbook = await logbookFor(ctx, owner);
  const versions = logbook === undefined ? [] : await logbook.history(entry);
  if (logbook === undefined || versions.length === 0) throw notFound();
  return { entry, owner, logbook, versions, own: owner === ctx.user.name };
}

/** The version `:version` (`v3`) of the URL's entry; 404 if the user cannot see it. */
export async function openVersion(
  ctx: PageContext<User>,
): Promise<{ entry: string; logbook: Logbook; ref: VersionRef; own: boolean }> {
  const seq = seqParam(ctx.params.version);
  const { entry, logbook, own } = await openEntry(ctx);
  const ref = seq === undefined ? undefined : await findVersion(logbook, entry, seq);
  if (ref === undefined) throw notFound();
  return { entry, logbook, ref, own };
}

/** Whether the version `id` has a copy in the public namespace (public versions have the same id there). */
export async function isPublished(services: WebServices, id: string): Promise<boolean> {
  try {
    await (await services.storage.namespace(PUBLIC_NAMESPACE)).stat({ type: 'snapshots', name: id });
    return true;
  } catch (error) {
    if (isBackendError(error, 'NOT_FOUND')) return false;
    throw error;
  }
}

/** `v3` → 3; undefined for anything else. */
export function seqParam(text: string | undefined): number | undefined {
  const match = /^v([1-9]\d{0,8})$/.exec(text ?? '');
  return match ? Number(match[1]) : undefined;
}

/** `/entries/alice/higgs`. */
export function entryUrl(entry: string): string {
  return `/entries/${entry.split('/').map(encodeURIComponent).join('/')}`;
}

/** `/entries/alice/higgs/v3`, and with `rest` (`files/a%20b`) below it. */
export function versionUrl(entry: string, seq: number, rest = ''): string {
  return `${entryUrl(entry)}/v${seq}${rest === '' ? '' : `/${rest}`}`;
}

/** A root-relative path as URL segments: `a b/c` → `a%20b/c`. */
export function pathUrl(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
