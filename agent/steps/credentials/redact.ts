/**
 * Redacted copies of credential files whose secret is a value inside useful text (a git remote URL with a
 * password, an exported token in .bashrc): the sanitizers run, as for publish, on a private temporary copy
 * of just those files, and what they leave is what the files capture stores in place of the original.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runSanitizers } from '../../../sanitizers/pipeline.js';

/** Each path's redacted bytes, or undefined when the sanitizers removed the file whole or left it as it was. */
export async function redactedCopies(
  root: string,
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, Uint8Array | undefined>> {
  const out = new Map<string, Uint8Array | undefined>();
  if (paths.length === 0) return out;
  // mkdtemp: 0700, so the unredacted copies are never readable by anyone else.
  const dir = await mkdtemp(join(tmpdir(), 'vml-redact-'));
  try {
    // The users of the root, so rules written for "~/" apply to these homes as they do at publish.
    for (const account of ['etc/passwd', 'etc/group']) {
      await copyInto(root, dir, account).catch(() => undefined);
    }
    for (const path of paths) await copyInto(root, dir, path);
    await runSanitizers(dir, { dryRun: false, ...(signal ? { signal } : {}) });
    for (const path of paths) {
      const copy = await readFile(join(dir, path)).catch(() => undefined);
      const original = await readFile(join(root, path)).catch(() => undefined);
      // Fail closed: a copy the sanitizers left as it was still holds the secret; keep no copy at all.
      out.set(path, copy && original && !copy.equals(original) ? copy : undefined);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

async function copyInto(root: string, dir: string, path: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await copyFile(join(root, path), join(dir, path));
}
