/**
 * Editing the CernVM-FS client configuration of a root the way an administrator would: one variable at a
 * time in etc/cvmfs/default.local, keeping every other line, comment, blank line and the order of the
 * repositories as they are; the file is replaced atomically with its mode and owner.
 */
import { chmod, chown, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { explainFsError, VmlError } from '../../../core/errors.js';
import { readClientConfig, splitList } from './config.js';
import { fullName } from './probe.js';

/** The file `software enable|disable` edits, relative to the root. */
export const CLIENT_LOCAL = 'etc/cvmfs/default.local';

/** The assignment lines of `name` in a shell fragment: `[export ]NAME=value [# comment]`. */
function assignmentPattern(name: string): RegExp {
  return new RegExp(`^(\\s*(?:export\\s+)?${name}=)(.*)$`);
}

/** Quotes a value for a shell fragment: bare when it is plain, double quotes, or single quotes for "$". */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_.,:/@%+=-]+$/.test(value)) return value;
  return /["$`\\]/.test(value) ? `'${value}'` : `"${value}"`;
}

/**
 * `text` with `name` set to `value`: the last assignment of `name` (the one the shell keeps) gets the new
 * value in its own quoting style, with its `export` and trailing comment; without one, a line is appended.
 */
export function setAssignment(text: string, name: string, value: string): string {
  const lines = text.split('\n');
  const pattern = assignmentPattern(name);
  let index = -1;
  lines.forEach((line, i) => {
    if (pattern.test(line)) index = i;
  });
  if (index < 0) {
    const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
    return `${body}${name}=${shellQuote(value)}\n`;
  }
  const m = pattern.exec(lines[index] as string) as RegExpExecArray;
  const rest = m[2] as string;
  const end = valueEnd(rest);
  const old = rest.slice(0, end);
  const quote = old.startsWith('"') && !/["$`\\]/.test(value) ? '"' : old.startsWith("'") ? "'" : '';
  const quoted = quote && !value.includes(quote) ? `${quote}${value}${quote}` : shellQuote(value);
  lines[index] = `${m[1]}${quoted}${rest.slice(end)}`;
  return lines.join('\n');
}

// Where a shell word ends (quotes included): at unquoted white space or "#".
function valueEnd(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      i = close < 0 ? text.length : close + 1;
    } else if (/\s/.test(c) || c === '#') {
      break;
    } else {
      i++;
    }
  }
  return i;
}

export interface EditRequest {
  readonly enable?: readonly string[];
  readonly disable?: readonly string[];
  /** New CVMFS_HTTP_PROXY, already checked. */
  readonly proxy?: string | undefined;
  /** New CVMFS_QUOTA_LIMIT in MB (-1: no limit). */
  readonly quota?: number | undefined;
}

export interface EditPlan {
  /** Absolute path of default.local. */
  readonly file: string;
  readonly before: string | undefined;
  readonly after: string;
  /** CVMFS_REPOSITORIES after the edit, in order. */
  readonly repositories: readonly string[];
  readonly enabled: readonly string[];
  readonly disabled: readonly string[];
  /** CVMFS_DEFAULT_DOMAIN, which completes short names. */
  readonly defaultDomain: string | undefined;
}

/**
 * Plans the edit: CVMFS_REPOSITORIES becomes the effective list (from every client file) with the
 * disabled names removed (short or full spelling) and the enabled ones appended; the proxy and quota
 * are set when asked. Nothing is written.
 */
export async function planClientEdit(root: string, request: EditRequest): Promise<EditPlan> {
  const file = join(root, CLIENT_LOCAL);
  const before = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw explainFsError(error, file);
  });
  const config = await readClientConfig(root, 'default.invalid');
  const domain = config.CVMFS_DEFAULT_DOMAIN;
  const current = splitList(config.CVMFS_REPOSITORIES, ',');
  const drop = new Set((request.disable ?? []).map((n) => fullName(n, domain)));
  const repositories = current.filter((n) => !drop.has(fullName(n, domain)));
  const disabled = current.filter((n) => drop.has(fullName(n, domain)));
  const enabled: string[] = [];
  for (const name of request.enable ?? []) {
    const full = fullName(name, domain);
    if (repositories.some((n) => fullName(n, domain) === full)) continue;
    repositories.push(full);
    enabled.push(full);
  }
  let after = before ?? '';
  if (enabled.length > 0 || disabled.length > 0) {
    after = setAssignment(after, 'CVMFS_REPOSITORIES', repositories.join(','));
  }
  if (request.proxy !== undefined && config.CVMFS_HTTP_PROXY !== request.proxy) {
    after = setAssignment(after, 'CVMFS_HTTP_PROXY', request.proxy);
  }
  if (request.quota !== undefined && config.CVMFS_QUOTA_LIMIT !== String(request.quota)) {
    after = setAssignment(after, 'CVMFS_QUOTA_LIMIT', String(request.quota));
  }
  return { file, before, after, repositories, enabled, disabled, defaultDomain: domain };
}

/**
 * Replaces `path` with `text` atomically (temporary file in the same directory, fsync, rename, fsync of
 * the directory), keeping the old file's mode and owner; a new file gets mode 0644.
 */
export async function writeConfigFile(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.vml-tmp${process.pid}`);
  try {
    const old = await stat(path).catch(() => undefined);
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, old ? old.mode & 0o7777 : 0o644);
    if (old && (old.uid !== process.getuid?.() || old.gid !== process.getgid?.())) {
      await chown(temp, old.uid, old.gid);
    }
    await rename(temp, path);
    const dir = await open(dirname(path), 'r');
    await dir.sync().finally(() => dir.close());
  } catch (error) {
    await rm(temp, { force: true });
    if (
      (error as NodeJS.ErrnoException).code === 'EPERM' ||
      (error as NodeJS.ErrnoException).code === 'EACCES'
    ) {
      throw new VmlError('E_PERMISSION', `Cannot write "${path}": permission denied`, {
        hint: 'Editing the CernVM-FS client configuration needs root: run the command with sudo',
        cause: error,
      });
    }
    throw explainFsError(error, path);
  }
}

/** CVMFS_QUOTA_LIMIT (MB) from "20000", "20GB", "20GiB" or "-1" (no limit); undefined if it is none. */
export function parseQuota(text: string): number | undefined {
  if (/^-1$/.test(text.trim())) return -1;
  const m = /^(\d+)\s*(MB|MiB|M|GB|GiB|G|TB|TiB|T)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'M').toUpperCase()[0];
  const factor = unit === 'G' ? 1024 : unit === 'T' ? 1024 * 1024 : 1;
  const mb = Number(m[1]) * factor;
  return mb > 0 ? mb : undefined;
}
