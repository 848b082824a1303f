/**
 * Agent configuration: defaults < <root>/etc/vml/agent.yaml < VML_* environment < command-line flags.
 * Returns one frozen object; a broken file is a located error (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { VmlError } from '../../core/errors.js';

/** Path of the config file inside the root. */
export const CONFIG_PATH = 'etc/vml/agent.yaml';

// "90", "30s", "30m", "2h", "1d": seconds without a unit.
const DURATION = /^\d+(ms|s|m|h|d)?$/;

const fileSchema = z
  .object({
    logbook: z.string().min(1).optional(),
    entry: z.string().min(1).optional(),
    recipe: z.string().min(1).optional(),
    recipe_dirs: z.array(z.string()).optional(),
    recipient: z
      .string()
      .regex(/^age1[0-9a-z]+$/, { error: 'expected an age recipient like "age1…" (see "vml-agent init")' })
      .optional(),
    automatic_backup: z
      .object({
        shutdown: z.boolean().optional(),
        on_reboot: z.boolean().optional(),
        min_interval: z
          .union([z.number().int().min(0), z.string().regex(DURATION, 'expected a duration like "30m"')])
          .optional(),
      })
      .strict()
      .optional(),
    login_warnings: z
      .object({ skip: z.array(z.enum(['proxy', 'kerberos', 'mounts', 'cvmfs', 'shutdown'])).optional() })
      .strict()
      .optional(),
  })
  .strict();

/** Rules for backups nobody asked for just now: at shutdown and from the timer (docs/appliance.md). */
export interface AutomaticBackupConfig {
  /** False: no backup at shutdown. */
  readonly shutdown: boolean;
  /** False: back up at poweroff and halt, not at reboot. */
  readonly onReboot: boolean;
  /** Skip when the newest version is younger than this many milliseconds (0: never skip). */
  readonly minIntervalMs: number;
}

export interface AgentConfig {
  /** Absolute path of the root the agent works on. */
  readonly root: string;
  readonly logbook: string | undefined;
  readonly entry: string | undefined;
  readonly recipe: string | undefined;
  /** Searched first to last; the shipped recipes come last. */
  readonly recipeDirs: readonly string[];
  /** The config file read, if there was one. */
  readonly file: string | undefined;
  /** The owner's age recipient (public key) that private versions' credential vaults are sealed to. */
  readonly recipient: string | undefined;
  readonly automaticBackup: AutomaticBackupConfig;
  /** Login-warning checks to leave out. */
  readonly loginWarningsSkip: readonly string[];
}

export interface ConfigFlags {
  readonly root?: string | undefined;
  readonly logbook?: string | undefined;
  readonly entry?: string | undefined;
  readonly recipe?: string | undefined;
}

/** Loads the configuration for `flags.root` (default "/"). */
export async function loadConfig(flags: ConfigFlags, shippedRecipes: string): Promise<AgentConfig> {
  const root = resolve(flags.root ?? process.env.VML_ROOT ?? '/');
  const path = join(root, CONFIG_PATH);
  const file = await readConfigFile(path);
  const env = process.env;
  return Object.freeze({
    root,
    logbook: flags.logbook ?? env.VML_LOGBOOK ?? file?.logbook,
    entry: flags.entry ?? env.VML_ENTRY ?? file?.entry,
    recipe: flags.recipe ?? env.VML_RECIPE ?? file?.recipe,
    recipeDirs: [
      ...(file?.recipe_dirs ?? []).map((d) => join(root, d)),
      join(root, 'etc/vml/recipes'),
      shippedRecipes,
    ],
    file: file ? path : undefined,
    recipient: file?.recipient,
    automaticBackup: Object.freeze({
      shutdown: file?.automatic_backup?.shutdown ?? true,
      onReboot: file?.automatic_backup?.on_reboot ?? true,
      minIntervalMs: durationMs(file?.automatic_backup?.min_interval ?? 0),
    }),
    loginWarningsSkip: Object.freeze([...(file?.login_warnings?.skip ?? [])]),
  });
}

/** A validated duration (a number is seconds) in milliseconds. */
function durationMs(value: number | string): number {
  if (typeof value === 'number') return value * 1000;
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value) as RegExpExecArray;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * (units[m[2] ?? 's'] ?? 1000);
}

async function readConfigFile(path: string): Promise<z.output<typeof fileSchema> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VmlError('E_CONFIG_INVALID', `Cannot read "${path}": ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const pos = lines.linePos(offset ?? 0);
    return `${path}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new VmlError('E_CONFIG_INVALID', `${at(e?.pos[0])}: ${e?.message.split('\n')[0]}`, {
      hint: 'Fix the YAML syntax',
    });
  }
  const parsed = fileSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const node = doc.getIn(issue.path as (string | number)[], true) as
      | { range?: [number, number, number] }
      | undefined;
    const key = issue.path.join('.') || '(top level)';
    return `${at(node?.range?.[0])}: ${key}: ${issue.message}`;
  });
  throw new VmlError('E_CONFIG_INVALID', problems.join('\n'), {
    hint: 'Known keys: logbook, entry, recipe, recipe_dirs, recipient, automatic_backup, login_warnings; see docs/appliance.md',
  });
}
