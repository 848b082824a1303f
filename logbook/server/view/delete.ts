/**
 * Deleting versions from the web pages, as `vml-agent delete` does (manifests removed under the logbook's
 * exclusive lock, data left to gc) and audited as the API's DELETE of a version is (docs/server.md,
 * "Audit log"): one `delete-version` record per version, with the same target format.
 */
import type { Logbook, VersionRef } from '../../logbook.js';
import type { Metadata } from '../metadata.js';

/** Removes `versions` from the signed-in owner's logbook and writes one audit record each. */
export async function deleteVersions(
  logbook: Logbook,
  versions: readonly VersionRef[],
  options: { readonly metadata: Metadata; readonly actor: string },
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
      deleted.push(name);
    }
  } finally {
    logbook.forgetVersions();
    await lock.release();
  }
  return deleted;
}
