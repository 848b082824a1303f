/**
 * The login warnings as the small plain-text file that /etc/profile.d/vml.sh prints at every interactive
 * login: written atomically (a login never prints half of it), and removed when there is nothing to say.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Warning } from './warning.js';

/** Where the file lives, relative to the root. */
export const LOGIN_WARNINGS_FILE = 'run/vml/login-warnings';

/** The text the login shells print. */
export function formatWarnings(warnings: readonly Warning[], now: Date): string {
  if (warnings.length === 0) return '';
  const when = now.toISOString().replace('T', ' ').slice(0, 16);
  const lines = [
    `VML: ${warnings.length} warning${warnings.length === 1 ? '' : 's'} (as of ${when} UTC; "vml-agent login-warnings" checks again)`,
  ];
  for (const w of warnings) {
    lines.push(`  * ${w.message}`);
    if (w.hint) lines.push(`      run: ${w.hint}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes (or, with no warnings, removes) ROOT/run/vml/login-warnings; returns its path. */
export async function writeWarningsFile(
  root: string,
  warnings: readonly Warning[],
  now: Date,
): Promise<string> {
  const path = join(root, LOGIN_WARNINGS_FILE);
  if (warnings.length === 0) {
    await rm(path, { force: true });
    return path;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, formatWarnings(warnings, now), { mode: 0o644 });
  await rename(temp, path);
  return path;
}
