/**
 * Deleting versions from the web pages, as `vml-agent delete` does (manifests removed under the logbook's
 * exclusive lock, data left to gc) and audited as the API's DELETE of a version is (docs/server.md,
 * "Audit log"): one `delete-version` record per version, with the same target format, and the public copy
 * of a deleted public version is removed.
 */
import type { Logbook, VersionRef } from '../../logbook.js';
import type { Metadata } from '../metadata.js';
import { unpublishDeleted } from '../public/publish.js';
import type { Storage } from '../storage.js';

/** Removes `versions` from the signed-in owner's logbook and writes one audit record each. */
export async function deleteVersions(
  logbook: Logbook,
  versions: readonly VersionRef[],
  options: { readonly metadata: Metadata; readonly storage: Storage; readonly actor: string },
): Promise<string[]> {
  const lock = await logbook.lock({ exclusive: true, purpose: 'delete' });
  const deleted: string[] = [];
  try {
    for (const v of versions) {
      await logbook.backend.remove({ type: 'snapshots', name: v.id });
      const name = `${v.manifest.entry}@v${v.manifest.seq}`;
      await options.metadata.audit({
        actor: options.actor,
        action: 'delete-version',
        target: `${name} (${v.id.slice(0, 8)})`,
      });
      // As the API's DELETE does: a deleted version's public copy goes too (audited as "unpublish").
      await unpublishDeleted(options, v.id, options.actor);
      deleted.push(name);
    }
  } finally {
    logbook.forgetVersions();
    await lock.release();
  }
  return deleted;
}
