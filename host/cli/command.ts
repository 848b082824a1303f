/** The shape of one `vml` command file; running it (output, signals, exit codes) is core/output/run.ts's job. */
import type { Command } from 'commander';
import { VmlError } from '../../core/errors.js';
import type { Output, ServerUser } from '../../core/events.js';
import { openServerData, type ServerData } from '../../logbook/server/data-dir.js';
import type { DatabaseOptions } from '../../logbook/server/database.js';
import type { User } from '../../logbook/server/metadata.js';

export interface HostContext {
  readonly output: Output;
  readonly signal: AbortSignal;
}

/** One command: `path` places it in the tree (`["logbook", "token", "create"]`). */
export interface HostCommand {
  readonly path: readonly [string, ...string[]];
  readonly summary: string;
  /** Longer help shown after the options: what it does, examples. */
  readonly help: string;
  configure(cmd: Command): void;
  run(ctx: HostContext, args: readonly string[], flags: Record<string, unknown>): Promise<number | undefined>;
}

/** Adds --data and --database, which every `vml logbook` command takes. */
export function dataOption(cmd: Command): Command {
  return cmd
    .option(
      '--data <dir>',
      'the server data directory: metadata (vml.db) and logbooks (default VML_SERVER_DATA)',
    )
    .option(
      '--database <url>',
      'metadata database: postgres://USER@HOST:PORT/DB or sqlite:PATH (default VML_SERVER_DATABASE, else DIR/vml.db)',
    )
    .option(
      '--database-password-file <file>',
      'file whose first line is the PostgreSQL password (default VML_SERVER_DATABASE_PASSWORD_FILE, else PGPASSWORD)',
    );
}

/** The metadata database from --database / VML_SERVER_DATABASE and its password file, for openServerData. */
export function databaseOptions(flags: Record<string, unknown>): DatabaseOptions {
  const url = typeof flags.database === 'string' ? flags.database : process.env.VML_SERVER_DATABASE;
  const passwordFile =
    typeof flags.databasePasswordFile === 'string'
      ? flags.databasePasswordFile
      : process.env.VML_SERVER_DATABASE_PASSWORD_FILE;
  return { url: url || undefined, passwordFile: passwordFile || undefined };
}

/** The data directory from --data or VML_SERVER_DATA. */
export function dataDir(flags: Record<string, unknown>): string {
  const dir = typeof flags.data === 'string' ? flags.data : process.env.VML_SERVER_DATA;
  if (!dir) {
    throw new VmlError('E_USAGE', 'No server data directory given', {
      hint: 'Pass --data DIR (the same as "vml logbook serve" uses), or set VML_SERVER_DATA',
    });
  }
  return dir;
}

/** The event that shows one user (add and list print the same): never the password hash. */
export function serverUserEvent(user: User, used?: number): ServerUser {
  return {
    type: 'server-user',
    name: user.name,
    admin: user.admin,
    password: user.passwordHash !== undefined,
    created: user.created,
    ...(used === undefined ? {} : { used, quota: user.quota ?? null }),
  };
}

/** Adds --storage, for the commands that read or write logbook files (serve, publish, unpublish). */
export function storageOption(cmd: Command): Command {
  return cmd.option(
    '--storage <url>',
    'where the logbooks are: s3://HOST:PORT/BUCKET[/PREFIX], s3s://… (HTTPS) or dir:PATH (default VML_SERVER_STORAGE, else DIR/owners)',
  );
}

/** The storage location from --storage or VML_SERVER_STORAGE; undefined means DIR itself. */
export function storageLocation(flags: Record<string, unknown>): string | undefined {
  const url = typeof flags.storage === 'string' ? flags.storage : process.env.VML_SERVER_STORAGE;
  return url || undefined;
}

/**
 * Opens the server data of --data/--database (and --storage when `storage`, for commands that read or write
 * logbook files), runs `use`, and closes it whatever happens.
 */
export async function withServerData<T>(
  flags: Record<string, unknown>,
  options: { readonly storage: boolean },
  use: (data: ServerData) => Promise<T>,
): Promise<T> {
  const data = await openServerData(
    dataDir(flags),
    databaseOptions(flags),
    options.storage ? storageLocation(flags) : undefined,
  );
  try {
    return await use(data);
  } finally {
    await data.close();
  }
}
