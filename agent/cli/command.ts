/** The shape of one CLI command file and the context every command gets. */
import { readdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { isVmlError, VmlError } from '../../core/errors.js';
import type { Output } from '../../core/events.js';
import { openBackend, stripCredentials } from '../../logbook/backend/open.js';
import { Logbook } from '../../logbook/logbook.js';
import { checkEntryName } from '../../logbook/version-spec.js';
import { type AgentConfig, loadConfig } from '../config/load.js';
import { SHIPPED_RECIPES_DIR } from '../recipes/load.js';

/** Options every command takes (DESIGN.md §3). */
export interface CommonFlags {
  readonly root?: string;
  readonly logbook?: string;
  readonly entry?: string;
  readonly recipe?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
  /** `--token-file`: the API token of a logbook server (http-token.ts). */
  readonly tokenFile?: string;
}

export interface CommandContext {
  readonly output: Output;
  readonly config: AgentConfig;
  readonly signal: AbortSignal;
  /** `--token-file`, for commands that open a backend themselves (init). */
  readonly tokenFile: string | undefined;
  /** Opens the configured logbook (E_USAGE when none is configured, E_NO_LOGBOOK when absent). */
  openLogbook(): Promise<Logbook>;
  /** The entry from --entry, VML_ENTRY or the config file (E_USAGE when none). */
  entry(): string;
}

/** One command: its file configures arguments and options and runs it. Returns an exit code or nothing. */
export interface CommandDefinition {
  readonly name: string;
  readonly alias?: string;
  readonly summary: string;
  /** Longer help shown after the options: what it does, examples, exit codes worth knowing. */
  readonly help: string;
  configure(cmd: Command): void;
  run(
    ctx: CommandContext,
    args: readonly string[],
    flags: Record<string, unknown>,
  ): Promise<number | undefined>;
}

/** Builds the context from the common flags. */
export async function createContext(
  flags: CommonFlags,
  output: Output,
  signal: AbortSignal,
): Promise<CommandContext> {
  const config = await loadConfig(flags, SHIPPED_RECIPES_DIR);
  let logbook: Logbook | undefined;
  return {
    output,
    config,
    signal,
    tokenFile: flags.tokenFile,
    async openLogbook() {
      if (logbook) return logbook;
      const url = requireLogbook(config);
      try {
        logbook = await Logbook.open(await openBackend(url, { tokenFile: flags.tokenFile }), {
          onDamaged: (what, error) =>
            output.emit({ type: 'warning', message: `Skipped damaged ${what}: ${(error as Error).message}` }),
        });
      } catch (error) {
        throw await explainNoLogbook(url, error);
      }
      return logbook;
    },
    entry() {
      if (!config.entry) {
        throw new VmlError('E_USAGE', 'No entry given', {
          hint: 'Pass --entry OWNER/NAME, set VML_ENTRY, or run "vml-agent init --entry OWNER/NAME"',
        });
      }
      return checkEntryName(config.entry);
    },
  };
}

/**
 * E_NO_LOGBOOK says "run init", which is wrong advice for a `dir:` location that is a file or a non-empty
 * directory (init refuses both): those become E_LOGBOOK_FOREIGN (same exit code) with a hint that fits.
 */
async function explainNoLogbook(url: string, error: unknown): Promise<unknown> {
  if (!isVmlError(error) || error.code !== 'E_NO_LOGBOOK') return error;
  const path = url.startsWith('dir:') ? url.slice(4) : url.startsWith('/') ? url : undefined;
  if (path === undefined) return error;
  const where = stripCredentials(url);
  let names: string[];
  try {
    names = await readdir(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOTDIR') return error;
    return new VmlError(
      'E_LOGBOOK_FOREIGN',
      `Cannot open logbook "${where}": it is a file, not a directory`,
      {
        hint: 'Check the --logbook location',
        cause,
      },
    );
  }
  if (names.length === 0) return error;
  return new VmlError(
    'E_LOGBOOK_FOREIGN',
    `Cannot open logbook "${where}": the directory is not empty but has no logbook config file`,
    {
      hint: 'Check the --logbook location; "vml-agent init" creates a logbook only in an empty or new directory',
      cause: error,
    },
  );
}

/** The logbook location, or a usage error saying how to give one. */
export function requireLogbook(config: AgentConfig): string {
  if (!config.logbook) {
    throw new VmlError('E_USAGE', 'No logbook configured', {
      hint: 'Pass --logbook dir:/path (or set VML_LOGBOOK), or run "vml-agent init --logbook URL" once',
    });
  }
  return config.logbook;
}
