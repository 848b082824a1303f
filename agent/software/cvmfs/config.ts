/**
 * The CernVM-FS client configuration of a root: the files the client sources, in its order, read as plain
 * `NAME=value` assignments (never executed: the root may be a foreign guest image). Paths in the values
 * are the guest's; `inRoot` maps them below --root.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ClientConfig = Readonly<Record<string, string>>;

/** The files the client reads for `fqrn`, lowest precedence first, relative to the root. */
export function configFiles(fqrn: string, defaultD: readonly string[]): string[] {
  const domain = fqrn.split('.').slice(1).join('.');
  return [
    'etc/cvmfs/default.conf',
    ...defaultD.map((n) => `etc/cvmfs/default.d/${n}`),
    'etc/cvmfs/default.local',
    ...(domain ? [`etc/cvmfs/domain.d/${domain}.conf`, `etc/cvmfs/domain.d/${domain}.local`] : []),
    `etc/cvmfs/config.d/${fqrn}.conf`,
    `etc/cvmfs/config.d/${fqrn}.local`,
  ];
}

/** Reads the configuration of `fqrn` under `root`; missing files are skipped. */
export async function readClientConfig(root: string, fqrn: string): Promise<ClientConfig> {
  const defaultD = (await readdir(join(root, 'etc/cvmfs/default.d')).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.conf'))
    .sort();
  const vars: Record<string, string> = {};
  for (const rel of configFiles(fqrn, defaultD)) {
    const text = await readFile(join(root, rel), 'utf8').catch(() => undefined);
    if (text !== undefined) parseAssignments(text, vars);
  }
  return vars;
}

/**
 * Applies the `NAME=value` lines of a shell fragment to `vars`: optional `export`, single or double quotes,
 * `$NAME` and `${NAME}` from earlier assignments, `#` comments. Other lines (conditionals) are ignored.
 */
export function parseAssignments(text: string, vars: Record<string, string>): Record<string, string> {
  for (const raw of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (!m) continue;
    vars[m[1] as string] = shellValue(m[2] as string, vars);
  }
  return vars;
}

function shellValue(text: string, vars: Record<string, string>): string {
  let out = '';
  let i = 0;
  const expand = (s: string) =>
    s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, b) => vars[a ?? b] ?? '');
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      out += text.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      out += expand(text.slice(i + 1, end < 0 ? undefined : end));
      i = end < 0 ? text.length : end + 1;
    } else if (c === '#' || /\s/.test(c)) {
      break;
    } else {
      let j = i;
      while (j < text.length && !/[\s'"#]/.test(text[j] as string)) j++;
      out += expand(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** A guest path (absolute in the guest) below `root`. */
export function inRoot(root: string, guestPath: string): string {
  return join(root, guestPath.replace(/^\/+/, ''));
}

/** Splits a CernVM-FS list value ("a;b" for URLs, "a:b" for key files) into its non-empty items. */
export function splitList(value: string | undefined, separator: string): string[] {
  return (value ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
