/** Builds logbook versions directly through the API, for tests that need exact trees or hostile ones. */
import type { Manifest } from '../../logbook/format/manifest.js';
import type { TreeNode } from '../../logbook/format/tree.js';
import type { Logbook } from '../../logbook/logbook.js';
import type { VersionFields, VersionWriter } from '../../logbook/version-writer.js';

/** Manifest fields for a test version whose root tree is `tree`. */
export function testVersionFields(tree: string, files = 0, bytes = 0, recipe = 't'): VersionFields {
  return {
    time: new Date().toISOString(),
    reason: 'manual',
    visibility: 'private',
    recipe: { name: recipe, hash: 'x' },
    host: 'h',
    user: 'u',
    root: '/',
    steps: {},
    tree,
    stats: { files, dirs: 0, bytes, filesRead: files, bytesRead: bytes, seconds: 0 },
  };
}

/** Commits one version of `entry` holding `files` (path → bytes, one chunk each); returns its id. */
export async function commit(
  logbook: Logbook,
  entry: string,
  files: Record<string, Uint8Array>,
): Promise<string> {
  const w = await logbook.beginVersion(entry);
  const tree = await addDir(
    w,
    Object.entries(files).map(([path, bytes]) => [path.split('/'), bytes]),
  );
  const bytes = Object.values(files).reduce((sum, b) => sum + b.length, 0);
  const { id } = await w.commit(testVersionFields(tree, Object.keys(files).length, bytes));
  return id;
}

export async function addDir(w: VersionWriter, files: [string[], Uint8Array][]): Promise<string> {
  const nodes: TreeNode[] = [];
  const dirs = new Map<string, [string[], Uint8Array][]>();
  for (const [[name = '', ...rest], bytes] of files) {
    if (rest.length > 0) dirs.set(name, [...(dirs.get(name) ?? []), [rest, bytes]]);
    else {
      const content = [await w.addChunk(bytes)];
      nodes.push({
        name,
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: '0',
        size: bytes.length,
        content,
      });
    }
  }
  for (const [name, sub] of dirs) {
    nodes.push({ name, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: '0', subtree: await addDir(w, sub) });
  }
  return w.addTree({ nodes });
}

/** Commits a public version of `entry` holding `files` (path → content), with an empty sanitization report. */
export async function commitPublic(
  logbook: Logbook,
  entry: string,
  files: Record<string, string | Uint8Array>,
): Promise<{ id: string; manifest: Manifest }> {
  const w = await logbook.beginVersion(entry);
  const list = Object.entries(files).map(([path, content]): [string[], Uint8Array] => [
    path.split('/'),
    Buffer.from(content),
  ]);
  const tree = await addDir(w, list);
  return w.commit({
    ...testVersionFields(tree, list.length),
    visibility: 'public',
    sanitization: { from: '0'.repeat(64), fromVersion: `${entry}@v0`, sanitizers: [], findings: [] },
  });
}
