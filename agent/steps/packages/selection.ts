/** Which installed packages a version records: not in the baseline, not excluded, not a signing key. */
import picomatch from 'picomatch';
import type { Baseline } from './baseline.js';
import type { Package } from './package.js';

/**
 * `gpg-pubkey` entries are the signing keys imported into the RPM database, not packages: no repository
 * has them, and dnf imports them again from the repositories' gpgkey settings.
 */
const NEVER_RECORDED = new Set(['gpg-pubkey']);

/** A test for the packages to keep; `exclude` globs match package names (`kernel*`). */
export function selector(baseline: Baseline, exclude: readonly string[]): (p: Package) => boolean {
  const excluded = exclude.length > 0 ? picomatch([...exclude]) : () => false;
  return (p) => !NEVER_RECORDED.has(p.name) && !excluded(p.name) && !baseline.has(p);
}
