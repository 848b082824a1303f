/**
 * Reads and writes `.asetup.save`, the file in which AtlasSetup (`asetup`) keeps the options of the last
 * set-up of a work area, so that `asetup --restore` repeats it. It is an INI file written by Python's
 * ConfigParser: `#` comments, `[section]` headers, `key = value` lines (ConfigParser also reads
 * `key: value` and continuation lines). The summary below is what the atlas-release step records.
 */

export interface AsetupEntry {
  readonly key: string;
  readonly value: string;
}

export interface AsetupSection {
  readonly name: string;
  readonly entries: readonly AsetupEntry[];
}

/** The file, in order: comment lines before the first section, then the sections. */
export interface AsetupSave {
  readonly header: readonly string[];
  readonly sections: readonly AsetupSection[];
}

/** Parses the text of a `.asetup.save`; lines it does not understand are dropped. */
export function parseAsetupSave(text: string): AsetupSave {
  const header: string[] = [];
  const sections: { name: string; entries: AsetupEntry[] }[] = [];
  let current: { name: string; entries: AsetupEntry[] } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const last = current?.entries.at(-1);
    if (/^\s+\S/.test(line) && current !== undefined && last !== undefined) {
      current.entries[current.entries.length - 1] = { key: last.key, value: `${last.value}\n${line.trim()}` };
      continue;
    }
    if (line.trim() === '') continue;
    if (/^[#;]/.test(line)) {
      if (current === undefined) header.push(line);
      continue;
    }
    const section = /^\[([^\]]+)\]$/.exec(line.trim());
    if (section) {
      current = { name: section[1] as string, entries: [] };
      sections.push(current);
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s?(.*)$/.exec(line);
    if (pair && current !== undefined) current.entries.push({ key: pair[1] as string, value: pair[2] ?? '' });
  }
  return { header, sections };
}

/** Writes the file as ConfigParser would: header, then `[section]` blocks of `key = value`. */
export function formatAsetupSave(save: AsetupSave): string {
  const blocks = save.sections.map((s) =>
    [`[${s.name}]`, ...s.entries.map((e) => `${e.key} = ${e.value.split('\n').join('\n\t')}`)].join('\n'),
  );
  const head = save.header.length > 0 ? `${save.header.join('\n')}\n\n` : '';
  return `${head}${blocks.join('\n\n')}\n`;
}

/** The release a work area is set up for, as far as the file says. */
export interface ReleaseSummary {
  readonly project?: string | undefined;
  /** The release number, or for a nightly its build stamp (`latest` resolved). */
  readonly release?: string | undefined;
  readonly branch?: string | undefined;
  readonly platform?: string | undefined;
  /** The nightly build stamp, like `2024-05-21T2101`. */
  readonly stamp?: string | undefined;
  readonly nightly: boolean;
  /** `Atlas*`, `BINARY_TAG`, `CMTCONFIG` and `<Project>_PLATFORM` values found in the file. */
  readonly variables: Readonly<Record<string, string>>;
}

const VARIABLE = /^(Atlas\w*|BINARY_TAG|CMTCONFIG|\w+_PLATFORM)$/i;

/** Summarizes a parsed file: options of asetup first, the recorded `Atlas*` values where options are silent. */
export function summarize(save: AsetupSave): ReleaseSummary {
  const all = save.sections.flatMap((s) => s.entries);
  // ConfigParser may lower-case keys: look them up case-insensitively, the first occurrence wins.
  const get = (...keys: string[]): string | undefined => {
    for (const key of keys) {
      const value = all.find((e) => e.key.toLowerCase() === key.toLowerCase())?.value.trim();
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
  const variables: Record<string, string> = {};
  for (const { key, value } of all) if (VARIABLE.test(key) && !(key in variables)) variables[key] = value;
  const project = get('project', 'AtlasProject');
  const stamp = get('AtlasBuildStamp', 'nightly', 'stamp');
  const asked = get('release', 'version', 'AtlasVersion');
  const nightly =
    asked === 'latest' ||
    /^r?\d{4}-\d{2}-\d{2}T\d{4}$/.test(asked ?? '') ||
    get('AtlasReleaseType')?.toLowerCase() === 'nightly';
  const release = asked === 'latest' ? (stamp ?? asked) : asked;
  const platform = get('platform', 'BINARY_TAG', 'CMTCONFIG', project ? `${project}_PLATFORM` : 'BINARY_TAG');
  return { project, release, branch: get('branch', 'AtlasBuildBranch'), platform, stamp, nightly, variables };
}

/** The `asetup` arguments that set the same release up again: `AnalysisBase,24.2.35` or `Athena,main,r…`. */
export function asetupArguments(summary: ReleaseSummary): string {
  const parts = [summary.project];
  if (summary.nightly && summary.branch !== undefined) parts.push(summary.branch);
  parts.push(
    summary.nightly && summary.stamp !== undefined ? `r${summary.stamp.replace(/^r/, '')}` : summary.release,
  );
  return parts.filter((p): p is string => p !== undefined && p !== '').join(',');
}
