/**
 * Opens SQLite files (catalogs, history databases) read-only with node:sqlite. The module is loaded on first
 * use, so commands that never read a catalog do not pay for it, and without its ExperimentalWarning, which
 * would otherwise land in the middle of the command's output.
 */
import type { DatabaseSync } from 'node:sqlite';
import { VmlError } from '../../../core/errors.js';

type SqliteModule = typeof import('node:sqlite');

let loaded: Promise<SqliteModule> | undefined;

function loadSqlite(): Promise<SqliteModule> {
  loaded ??= (async () => {
    const original = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      if (String(warning).includes('SQLite is an experimental feature')) return;
      (original as (...args: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      return await import('node:sqlite');
    } finally {
      process.emitWarning = original;
    }
  })();
  return loaded;
}

/** Opens `path` read-only; integers come back as bigint (catalog path hashes use all 64 bits). */
export async function openReadOnly(path: string, what: string): Promise<DatabaseSync> {
  const { DatabaseSync } = await loadSqlite();
  try {
    return new DatabaseSync(path, { readOnly: true, readBigInts: true });
  } catch (cause) {
    throw new VmlError('E_CORRUPT', `Cannot open ${what} as an SQLite database`, {
      hint: 'The object is damaged although its hash matches; report it to the repository maintainers',
      cause,
    });
  }
}

/** Converts an SQLite integer (bigint under readBigInts) to a number. */
export function num(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : 0;
}
