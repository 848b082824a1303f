/**
 * Fail closed for what cannot be read as it is: gzip and zstd files and tar archives are opened and their
 * members checked like any file; one holding a secret is removed whole (an archive cannot be edited in
 * place safely). Formats VML cannot open (zip, xz, bzip2, 7z, rar) are kept out, with the reason, except in
 * installed software (/usr, /lib…), which the package manager put there.
 */
import { defineSanitizer, type SanitizeContext } from './sanitizer.js';
import { compressedKind, decompress, isTar, secretInside } from './scanner/archive.js';
import { isInstalledSoftware } from './scanner/limits.js';

/** Decompressed bytes VML holds in memory to check one file; a larger one is kept out. */
const MAX_DECOMPRESSED = 256 * 1024 * 1024;

async function check(ctx: SanitizeContext, path: string): Promise<void> {
  const { tree, report } = ctx;
  const head = await tree.head(path, 512);
  if (head === undefined) return;
  const kind = compressedKind(head);
  if (kind === undefined && !isTar(head)) return;
  if (kind !== 'gzip' && kind !== 'zstd' && kind !== undefined) {
    await tree.remove(path);
    report.removed(path, {
      type: 'unclassifiable',
      reason: `a ${kind} archive, which VML cannot open to check: kept out`,
    });
    return;
  }
  const bytes = await tree.read(path);
  if (bytes === undefined) return;
  let content: Buffer;
  try {
    content = kind === undefined ? bytes : decompress(kind, bytes, MAX_DECOMPRESSED);
  } catch {
    await tree.remove(path);
    report.removed(path, {
      type: 'unclassifiable',
      reason: `${kind} data that cannot be decompressed (corrupt or over 256 MiB) to check: kept out`,
    });
    return;
  }
  const secret = secretInside(content);
  if (secret === undefined) return;
  await tree.remove(path);
  report.removed(path, { type: secret, reason: `${kind ?? 'tar'} file holding a secret: removed whole` });
}

export const compressedFiles = defineSanitizer({
  name: 'compressed-files',
  heading: 'Check inside gzip, zstd and tar files; keep out archives that cannot be opened',
  enabledByDefault: true,
  order: 890,
  paths: ['**'],
  notes:
    'zip, xz, bzip2, 7z and rar files outside installed software are removed unchecked (fail closed); ROOT files are not archives here.',
  examples: {
    dirty: [
      {
        path: 'home/alice/backup/ssh-keys.zip',
        content: Buffer.from('PK\u0003\u0004VMLFAKEZIPPEDKEY', 'latin1'),
      },
    ],
    clean: [{ path: 'home/alice/analysis/events.root', content: 'root\u0000\u0000VMLFAKE ROOT FILE' }],
  },
  async sanitize(ctx) {
    for (const path of ctx.files) {
      if (ctx.signal.aborted) return;
      if (!isInstalledSoftware(path) && ctx.tree.exists(path)) await check(ctx, path);
    }
  },
});
