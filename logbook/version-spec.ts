/**
 * Version names: `alice/higgs-ww@v7` (sequence number), `alice/higgs-ww@3f2a9c1e` (id prefix),
 * `alice/higgs-ww@latest`, or just the entry for its latest version.
 */
import { VmlError } from '../core/errors.js';
import type { VersionRef } from './logbook.js';

const ENTRY_RE = /^[a-z_][a-z0-9_.-]{0,31}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Checks `owner/name`; the owner is a Unix user name, the name a file-name-safe word. */
export function checkEntryName(entry: string): string {
  if (!ENTRY_RE.test(entry)) {
    throw new VmlError(
      'E_USAGE',
      `Invalid entry name "${entry}": expected OWNER/NAME, e.g. "alice/higgs-ww"`,
      {
        hint: 'OWNER is a user name; NAME uses letters, digits, ".", "_" and "-"',
      },
    );
  }
  return entry;
}

/** Splits `ENTRY@VERSION`; the version part is undefined when absent. */
export function splitSpec(spec: string): { entry: string; version: string | undefined } {
  const at = spec.lastIndexOf('@');
  const entry = at < 0 ? spec : spec.slice(0, at);
  return { entry: checkEntryName(entry), version: at < 0 ? undefined : spec.slice(at + 1) };
}

/** Finds the version a spec names among `versions`; unknown or ambiguous names are clear errors. */
export function resolveVersion(spec: string, versions: readonly VersionRef[]): VersionRef {
  const { entry, version } = splitSpec(spec);
  const history = versions.filter((v) => v.manifest.entry === entry);
  if (history.length === 0) {
    throw new VmlError('E_NOT_FOUND', `Entry "${entry}" has no versions in this logbook`, {
      hint: 'Run "vml-agent log" to list the entries',
    });
  }
  if (version === undefined || version === 'latest') return history[history.length - 1] as VersionRef;
  const seq = /^v(\d+)$/.exec(version);
  if (seq) {
    const found = history.find((v) => v.manifest.seq === Number(seq[1]));
    if (found) return found;
    throw new VmlError('E_NOT_FOUND', `Entry "${entry}" has no version ${version}`, {
      hint: `Run "vml-agent log ${entry}" to list its versions`,
    });
  }
  if (!/^[0-9a-f]{4,64}$/.test(version)) {
    throw new VmlError(
      'E_USAGE',
      `Invalid version "${version}": expected vN, an id prefix of 4+ hex digits, or "latest"`,
    );
  }
  const matches = history.filter((v) => v.id.startsWith(version));
  if (matches.length === 1) return matches[0] as VersionRef;
  if (matches.length > 1) {
    throw new VmlError(
      'E_AMBIGUOUS',
      `Version prefix "${version}" matches ${matches.length} versions of "${entry}"`,
      {
        hint: 'Give more digits of the id, or use vN',
      },
    );
  }
  throw new VmlError('E_NOT_FOUND', `Entry "${entry}" has no version with id "${version}"`, {
    hint: `Run "vml-agent log ${entry}" to list its versions`,
  });
}
