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
  })
  .strict();

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
  });
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
    hint: 'Known keys: logbook, entry, recipe, recipe_dirs, recipient; see "vml-agent init --help"',
  });
}
