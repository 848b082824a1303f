/**
 * Which metadata database a server uses (--database, VML_SERVER_DATABASE): SQLite in the data directory by
 * default, or PostgreSQL, shared by several servers. Opening it brings its schema up to date. A password is
 * never part of the URL (it would show in `ps` and in messages): it comes from a file or PGPASSWORD.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isVmlError, VmlError } from '../../core/errors.js';
import { SqlMetadata } from './metadata-sql.js';
import type { SqlDriver } from './sql/driver.js';
import { explainPostgresError, PostgresDriver, shownUrl } from './sql/postgres.js';
import { SqliteDriver } from './sql/sqlite.js';

export interface DatabaseOptions {
  /** `postgres://USER@HOST:PORT/DB`, `sqlite:PATH`; default `sqlite:DATA/vml.db`. */
  readonly url?: string | undefined;
  /** A file whose first line is the PostgreSQL password (else PGPASSWORD, else none). */
  readonly passwordFile?: string | undefined;
}

export type DatabaseLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly shown: string };

/** Reads a --database value; refuses a URL that carries a password without repeating it. */
export function parseDatabaseUrl(text: string, dataDir: string): DatabaseLocation {
  if (text === '') return { kind: 'sqlite', path: join(dataDir, 'vml.db') };
  if (text.startsWith('sqlite:')) return { kind: 'sqlite', path: resolve(text.slice('sqlite:'.length)) };
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url && (url.protocol === 'postgres:' || url.protocol === 'postgresql:')) {
    if (url.password !== '' || url.searchParams.has('password')) {
      throw new VmlError('E_USAGE', 'Cannot use the --database URL: it contains a password', {
        hint: 'Remove the password from the URL and give it with --database-password-file FILE or PGPASSWORD',
      });
    }
    return { kind: 'postgres', url: text, shown: shownUrl(text) };
  }
  throw new VmlError('E_USAGE', `Cannot use the database "${text}": expected postgres://… or sqlite:PATH`, {
    hint: 'For example --database postgres://vml@db.example.org:5432/vml, or leave it out for DIR/vml.db',
  });
}

/** Opens the metadata database and brings its schema up to date. */
export async function openMetadata(dataDir: string, options: DatabaseOptions = {}): Promise<SqlMetadata> {
  const where = parseDatabaseUrl(options.url ?? '', dataDir);
  if (where.kind === 'sqlite') return openSqlite(where.path);
  const password = options.passwordFile === undefined ? undefined : await readPassword(options.passwordFile);
  let driver: SqlDriver | undefined;
  try {
    driver = await PostgresDriver.open(where.url, { password });
    return await SqlMetadata.open(driver);
  } catch (error) {
    await driver?.close();
    throw isVmlError(error) ? error : explainPostgresError(error, where.shown);
  }
}

async function openSqlite(path: string): Promise<SqlMetadata> {
  const driver = await SqliteDriver.open(path);
  try {
    return await SqlMetadata.open(driver);
  } catch (error) {
    await driver.close();
    throw new VmlError('E_IO', `Cannot open the server database "${path}": ${(error as Error).message}`, {
      hint: 'Check that --data names the server data directory and that it is writable',
      cause: error,
    });
  }
}

async function readPassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
  } catch (error) {
    throw new VmlError(
      'E_USAGE',
      `Cannot read the database password file "${file}": ${(error as Error).message}`,
      {
        hint: 'Write the password on the first line of a file readable by the server only',
        cause: error,
      },
    );
  }
}
