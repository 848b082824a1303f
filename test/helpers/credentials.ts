/**
 * Real credentials made at test time with the real tools: openssl (user certificate and encrypted key,
 * .p12, RFC 3820 and legacy proxies), ssh-keygen (user, host and encrypted keys) and a throwaway MIT KDC on
 * 127.0.0.1 (kinit into FILE: and DIR: ccaches, kadmin.local ktadd keytabs). Shared by the sanitizer and
 * vault tests; every function works in a directory the caller owns.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** All bytes of every regular file under `root`, concatenated with NUL separators (links not followed). */
export async function readAllBytes(root: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  async function visit(dir: string): Promise<void> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.isFile()) parts.push(await readFile(p), Buffer.from([0]));
    }
  }
  await visit(root);
  return Buffer.concat(parts);
}
