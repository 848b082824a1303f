/**
 * The public namespace (docs/server.md, "Public versions"): a public version saved by its owner is checked
 * (sanitization report, no attachments, a re-run of the content scanners) and copied, trees and blobs
 * re-packed, into the namespace PUBLIC_NAMESPACE, which everyone signed in reads. Reading a public version
 * never opens an owner's namespace. Unpublishing removes the copy (gc of the public namespace then frees
 * its blobs); publishing again copies it anew from the owner's version. The web UI calls publishVersion and
 * unpublishVersion; `vml logbook unpublish` calls unpublishVersion.
 */
import { createHash } from 'node:crypto';
import { isVmlError, VmlError } from '../../../core/errors.js';
import { type Backend, isBackendError } from '../../backend/backend.js';
import { copyVersion } from '../../copy-version.js';
import { decodeManifest, type Manifest } from '../../format/manifest.js';
import { Logbook, type VersionRef } from '../../logbook.js';
import { ApiFailure } from '../authenticate.js';
import type { ContentScan } from '../content-scan.js';
import type { Metadata } from '../metadata.js';
import { PUBLIC_NAMESPACE, type Storage } from '../storage.js';
import { checkPublicManifest, refuseFindings } from './scan.js';

/** What the public functions need from the server. */
export interface PublicDeps {
  readonly metadata: Metadata;
  readonly storage: Storage;
}

/** What publishing needs besides: the content scan every public version passes before it is accepted. */
export interface PublishDeps extends PublicDeps {
  readonly scan: ContentScan;
}

/** A version in the public namespace. */
export interface PublishedVersion {
  /** `entry@vN`. */
  readonly name: string;
  readonly id: string;
  readonly entry: string;
  readonly seq: number;
}

/**
 * Checks a public manifest its owner is saving, before it is saved: report, attachments, content scan of
 * every file (read from the owner's namespace, where the agent put packs and index first). Throws
 * BAD_REQUEST naming what is wrong, never a value. Returns the copy to make once the owner's save is done.
 */
export async function checkPublicSave(
  deps: PublishDeps,
  owner: string,
  manifestBytes: Uint8Array,
): Promise<() => Promise<void>> {
  const id = createHash('sha256').update(manifestBytes).digest('hex');
  let name = `version ${id.slice(0, 8)}`;
  let source: Logbook;
  let manifest: Manifest;
  try {
    manifest = decodeManifest(manifestBytes, id);
    name = versionName(manifest, id);
    checkPublicManifest(manifest, name);
    source = await Logbook.open(await deps.storage.namespace(owner));
    refuseFindings(await deps.scan.scanVersion(source, manifest), name);
  } catch (error) {
    throw asApiFailure(error, name);
  }
  return async () => {
    await copyToPublic(deps, source, manifestBytes);
    await deps.metadata.addPublished({ id, entry: manifest.entry, seq: manifest.seq, publisher: owner });
  };
}

/**
 * Publishes (again) an owner's public version, `ENTRY@VERSION` of the owner's namespace: checks and scans
 * it as a save would, then copies it into the public namespace. For the web UI's "publish" button.
 */
export async function publishVersion(
  deps: PublishDeps,
  request: { owner: string; version: string; actor: string; dryRun?: boolean },
): Promise<PublishedVersion> {
  const source = await Logbook.open(await deps.storage.namespace(request.owner));
  const version = await resolveIn(source, request.version, `the logbook of "${request.owner}"`);
  const name = versionName(version.manifest, version.id);
  if (!version.manifest.entry.startsWith(`${request.owner}/`) || version.manifest.visibility !== 'public') {
    throw new VmlError(
      'E_USAGE',
      `Cannot publish ${name}: it is not a public version of "${request.owner}"`,
      {
        hint: 'Make a public version first with "vml-agent publish --public", which sanitizes it',
      },
    );
  }
  try {
    checkPublicManifest(version.manifest, name);
    refuseFindings(await deps.scan.scanVersion(source, version.manifest), name);
  } catch (error) {
    // The same refusal as for a save, as a command-line error.
    if (!(error instanceof ApiFailure)) throw error;
    throw new VmlError('E_SANITIZE_FAILED', error.message, {
      hint: 'Make a new public version with "vml-agent publish --public" and the default sanitizers',
    });
  }
  const published = describe(version);
  if (request.dryRun === true) return published;
  const bytes = await source.backend.load({ type: 'snapshots', name: version.id });
  await copyToPublic(deps, source, bytes);
  const { entry, seq } = version.manifest;
  await deps.metadata.addPublished({ id: version.id, entry, seq, publisher: request.actor });
  await deps.metadata.audit({ actor: request.actor, action: 'publish', target: auditTarget(published) });
  return published;
}

/**
 * Removes `ENTRY@VERSION` from the public namespace; the owner's version is not touched. gc of the public
 * namespace frees blobs no other public version uses. E_NOT_FOUND when it is not published.
 */
export async function unpublishVersion(
  deps: PublicDeps,
  request: { version: string; actor: string; dryRun?: boolean },
): Promise<PublishedVersion> {
  const target = await openPublic(deps);
  const version = await resolveIn(target, request.version, 'the public namespace');
  const published = describe(version);
  if (request.dryRun === true) return published;
  await target.backend.remove({ type: 'snapshots', name: version.id });
  await deps.metadata.removePublished(version.id);
  await deps.metadata.audit({ actor: request.actor, action: 'unpublish', target: auditTarget(published) });
  return published;
}

/** After an owner deleted a version: removes its public copy, if there is one (same id, same bytes). */
export async function unpublishDeleted(deps: PublicDeps, id: string, actor: string): Promise<void> {
  const backend = await deps.storage.namespace(PUBLIC_NAMESPACE);
  let bytes: Uint8Array;
  try {
    bytes = await backend.load({ type: 'snapshots', name: id });
  } catch (error) {
    if (isBackendError(error, 'NOT_FOUND')) return;
    throw error;
  }
  await backend.remove({ type: 'snapshots', name: id });
  await deps.metadata.removePublished(id);
  const manifest = decodeManifest(bytes, id);
  await deps.metadata.audit({ actor, action: 'unpublish', target: auditTarget(describe({ id, manifest })) });
}

/** Every version in the public namespace, oldest first per entry. */
export async function listPublished(deps: PublicDeps): Promise<PublishedVersion[]> {
  return (await (await openPublic(deps)).versions()).map(describe);
}

async function copyToPublic(deps: PublicDeps, source: Logbook, manifestBytes: Uint8Array): Promise<void> {
  const target = await openPublic(deps);
  // Shared locks keep gc out of both namespaces while blobs are read and the copy is not yet indexed.
  const sourceLock = await source.lock({ exclusive: false, purpose: 'publish (server copy)' });
  try {
    const targetLock = await target.lock({ exclusive: false, purpose: 'publish (server copy)' });
    try {
      await copyVersion(source, target, manifestBytes);
    } finally {
      await targetLock.release();
    }
  } finally {
    await sourceLock.release();
  }
}

/** The public namespace's logbook, made (a config file) on first use. */
async function openPublic(deps: PublicDeps): Promise<Logbook> {
  const backend: Backend = await deps.storage.namespace(PUBLIC_NAMESPACE);
  try {
    return await Logbook.open(backend);
  } catch (error) {
    if (!isVmlError(error) || error.code !== 'E_NO_LOGBOOK') throw error;
    return Logbook.init(backend);
  }
}

async function resolveIn(logbook: Logbook, spec: string, where: string): Promise<VersionRef> {
  if (!spec.includes('@')) {
    throw new VmlError('E_USAGE', `Cannot use "${spec}": name one version as ENTRY@VERSION`, {
      hint: 'For example alice/higgs-ww@v7 or alice/higgs-ww@3f2a9c1e',
    });
  }
  try {
    return await logbook.resolve(spec);
  } catch (error) {
    if (isVmlError(error) && error.code === 'E_NOT_FOUND') {
      throw new VmlError('E_NOT_FOUND', `There is no version ${spec} in ${where}`, {
        hint: 'List versions with "vml-agent log", e.g. --logbook http://HOST:PORT/public for the public ones',
        cause: error,
      });
    }
    throw error;
  }
}

function describe(version: VersionRef): PublishedVersion {
  const { entry, seq } = version.manifest;
  return { name: `${entry}@v${seq}`, id: version.id, entry, seq };
}

function auditTarget(v: PublishedVersion): string {
  return `${v.name} (${v.id.slice(0, 8)})`;
}

function versionName(manifest: Manifest, id: string): string {
  return `${manifest.entry}@v${manifest.seq} (${id.slice(0, 8)})`;
}

// A damaged or missing part of the version is a refusal the agent should see, not an internal error it
// would retry.
function asApiFailure(error: unknown, name: string): unknown {
  if (isVmlError(error) && ['E_CORRUPT', 'E_NO_LOGBOOK', 'E_LOGBOOK_NEWER'].includes(error.code)) {
    return new ApiFailure('BAD_REQUEST', `Cannot accept ${name} as public: ${error.message}`);
  }
  return error;
}
