/**
 * Reads the installed packages of a Debian or Ubuntu root from `var/lib/dpkg/status`, the file dpkg
 * itself keeps: one paragraph per package, `Field: value` lines, continuation lines start with a space.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Package } from './package.js';

/** The dpkg status file, relative to the root. */
export const DPKG_STATUS = 'var/lib/dpkg/status';

/**
 * The packages of a status file that are installed: status "install ok installed" or "hold ok installed".
 * Removed packages whose configuration files remain ("config-files") and half-installed ones are not.
 */
export function parseDpkgStatus(text: string): Package[] {
  const packages: Package[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = parseFields(paragraph);
    const name = fields.get('package');
    const status = fields.get('status')?.split(/\s+/);
    if (name === undefined || status?.[2] !== 'installed') continue;
    packages.push({
      name,
      arch: fields.get('architecture') ?? 'all',
      ...splitVersion(fields.get('version') ?? ''),
    });
  }
  return packages;
}

/** The installed packages of `root`'s dpkg, or undefined when it has no status file. */
export async function readDpkgStatus(root: string): Promise<Package[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(root, DPKG_STATUS), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseDpkgStatus(text);
}

/** `[epoch:]upstream[-revision]`: the revision is after the last hyphen, as dpkg splits it. */
export function splitVersion(text: string): Pick<Package, 'epoch' | 'version' | 'release'> {
  const colon = text.indexOf(':');
  const hasEpoch = colon > 0 && /^\d+$/.test(text.slice(0, colon));
  const epoch = hasEpoch ? Number(text.slice(0, colon)) : 0;
  const rest = hasEpoch ? text.slice(colon + 1) : text;
  const dash = rest.lastIndexOf('-');
  return dash > 0
    ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) }
    : { epoch, version: rest, release: '' };
}

// Field names are case-insensitive in Debian control files; continuation lines belong to the field
// above and are not needed for the fields read here.
function parseFields(paragraph: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of paragraph.split('\n')) {
    if (line === '' || line.startsWith(' ') || line.startsWith('\t')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}
