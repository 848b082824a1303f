/**
 * The owner's age identity file (~/.config/vml/identity.age) is encrypted with a passphrase only: in a public
 * version anyone could try passphrases offline. Publish removes it from every home, whatever the
 * sanitizers decide.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SanitizationFinding } from '../../logbook/format/manifest.js';
import type { Accounts } from '../steps/files/owners.js';
import { IDENTITY_IN_HOME } from '../vault/identity.js';

/** Removes identity files from the homes of the staged root (home/*, root, and the accounts' homes). */
export async function removeIdentities(
  staged: string,
  accounts: Accounts,
  dryRun: boolean,
): Promise<SanitizationFinding[]> {
  const homes = new Set(['root', ...[...accounts.home.values()].map((h) => h.replace(/^\/+|\/+$/g, ''))]);
  for (const name of await readdir(join(staged, 'home')).catch(() => [] as string[]))
    homes.add(`home/${name}`);
  const findings: SanitizationFinding[] = [];
  for (const home of [...homes].sort()) {
    if (home === '') continue;
    const path = `${home}/${IDENTITY_IN_HOME}`;
    if (!(await lstat(join(staged, path)).catch(() => undefined))) continue;
    if (!dryRun) await rm(join(staged, path), { force: true });
    findings.push({
      sanitizer: 'vml-identity',
      type: 'age-identity',
      path,
      action: 'delete',
      credential: 'long-lived',
      restoreHint: 'copy your saved identity.age back to ~/.config/vml/',
    });
  }
  return findings;
}
