/**
 * The `environment` step: the variables a login shell of the owner ends up with, filtered by the recipe's
 * allow and deny globs. Credentials are never recorded: names in SECRET_NAMES and values that look like a
 * credential are withheld (only their names are kept, so the report can say they existed). Restore writes
 * the variables to /etc/profile.d/vml-environment.sh, guarded to the owner: a system file rather than a
 * line in the owner's ~/.bash_profile, so the restored home stays exactly the version's, and the snippet
 * can be removed without editing the owner's files.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { expandTemplate, templateHome } from './atlas/home-template.js';
import {
  loginShellVariables,
  PROFILE_SNIPPET,
  rcFileVariables,
  snippetMarker,
} from './atlas/login-environment.js';
import { isSecretName, looksSecret, SECRET_NAMES } from './atlas/secrets.js';
import { shellQuote } from './atlas/shell-words.js';
import { ownerIds } from './run-tool.js';
import type { CaptureContext, FactChange, FactStep } from './step.js';

/** Variables of one session, host or terminal, which mean nothing in another VM: denied unless a recipe says. */
export const DEFAULT_DENY = [
  '_',
  'PWD',
  'OLDPWD',
  'SHLVL',
  'HOME',
  'USER',
  'LOGNAME',
  'MAIL',
  'SHELL',
  'HOSTNAME',
  'TERM',
  'COLORTERM',
  'DISPLAY',
  'XAUTHORITY',
  'WINDOWID',
  'SSH_*',
  'XDG_*',
  'DBUS_*',
  'LS_COLORS',
  'MOTD_SHOWN',
  'which_declare',
] as const;

const schema = z
  .object({
    allow: z.array(z.string().min(1)).default(['*']).describe('Globs of variable names to record'),
    deny: z
      .array(z.string().min(1))
      .default([...DEFAULT_DENY])
      .describe(`Globs of names never recorded; credentials (${SECRET_NAMES.join(', ')}) always are`),
    method: z
      .enum(['auto', 'login-shell', 'rc-files'])
      .default('auto')
      .describe('auto: run a login shell when --root is "/", else read the rc files\' export lines'),
  })
  .strict();

type EnvironmentWith = z.output<typeof schema>;

export interface EnvironmentFacts {
  /** How the variables were learnt. */
  readonly method: 'login-shell' | 'rc-files';
  /** Allowed variables, sorted by name; the owner's home written as `{home}`. */
  readonly variables: Readonly<Record<string, string>>;
  /** Names withheld because the name or the value looks like a credential: never their values. */
  readonly withheld: readonly string[];
}

export const environmentStep: FactStep<EnvironmentWith, EnvironmentFacts, z.input<typeof schema>> = {
  kind: 'environment',
  heading:
    "Record the owner's login environment variables (never credentials) and restore them in a profile snippet",
  schema,
  examples: [
    {},
    { allow: ['ATLAS_*', 'Atlas*', 'RUCIO_ACCOUNT', 'PATH'], deny: ['PWD'], method: 'rc-files' },
  ],
  phase: 'after-files',

  async capture(ctx) {
    const { method, variables } = await loginVariables(ctx);
    return { method, ...filterVariables(variables, ctx.with, ctx.home) };
  },

  async restore(ctx) {
    const owner = ctx.entry.split('/')[0] as string;
    // Only what the restored rc files do not set already: exporting `PATH=~/bin:$PATH` again in the
    // snippet would put ~/bin twice into PATH, at every login.
    const who = { user: owner, home: `/${ctx.home}` };
    const fromFiles = await rcFileVariables(ctx.root, ctx.home, who, { withoutSnippet: true });
    const given = filterVariables(fromFiles.variables, ctx.with, ctx.home).variables;
    const names = Object.keys(ctx.facts.variables).filter((n) => given[n] !== ctx.facts.variables[n]);
    const actions = [
      `write /${PROFILE_SNIPPET} for ${owner}: ${names.length} of ${Object.keys(ctx.facts.variables).length} variables (the others come from the restored rc files)`,
    ];
    if (ctx.dryRun) return { actions, problems: [] };
    const lines = [
      snippetMarker(owner),
      `# Written by vml-agent restore (${ctx.entry}): ${owner}'s login environment. Edit or delete freely.`,
      `[ "$(id -un 2>/dev/null)" = ${shellQuote(owner)} ] || return 0`,
      ...names.map(
        (n) =>
          `export ${n}=${quoteKeepingSelf(n, expandTemplate(ctx.facts.variables[n] as string, `/${ctx.home}`))}`,
      ),
    ];
    const target = join(ctx.root, PROFILE_SNIPPET);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(`${target}.vml-tmp`, `${lines.join('\n')}\n`, { mode: 0o644 });
      await rename(`${target}.vml-tmp`, target);
    } catch (error) {
      const message = `Cannot write "/${PROFILE_SNIPPET}": ${(error as Error).message}`;
      const hint = 'Restore as root, or set the variables by hand (vml-agent show lists them)';
      return {
        actions: [],
        problems: [{ step: 'environment', kind: 'environment', subject: PROFILE_SNIPPET, message, hint }],
      };
    }
    return { actions, problems: [] };
  },

  diff(before, after) {
    const changes: FactChange[] = [];
    const a = before.variables;
    const b = after.variables;
    for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (a[name] === b[name]) continue;
      const subject = `variable ${name}`;
      if (a[name] === undefined) changes.push({ change: 'added', subject, detail: b[name] });
      else if (b[name] === undefined) changes.push({ change: 'removed', subject, detail: a[name] });
      else changes.push({ change: 'modified', subject, detail: `${a[name]} -> ${b[name]}` });
    }
    return changes;
  },

  describe(facts) {
    const names = Object.keys(facts.variables);
    const lines = [`${names.length} variables (${facts.method}): ${names.join(' ') || '(none)'}`];
    if (facts.withheld.length > 0) lines.push(`withheld as credentials: ${facts.withheld.join(' ')}`);
    return lines;
  },
};

/** The allowed variables (home as `{home}`) and the names withheld as credentials. */
function filterVariables(
  variables: ReadonlyMap<string, string>,
  w: EnvironmentWith,
  home: string,
): { variables: Record<string, string>; withheld: string[] } {
  const allow = picomatch(w.allow, { dot: true });
  const deny = w.deny.length > 0 ? picomatch(w.deny, { dot: true }) : () => false;
  const kept: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [name, value] of [...variables].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!allow(name) || deny(name)) continue;
    if (isSecretName(name) || looksSecret(value)) withheld.push(name);
    else kept[name] = templateHome(value, `/${home}`);
  }
  return { variables: kept, withheld };
}

/** Quotes `value`, leaving `$NAME` (a variable extending itself, `~/bin:$PATH`) for the shell to expand. */
function quoteKeepingSelf(name: string, value: string): string {
  return value
    .split(`$${name}`)
    .map((part) => (part === '' ? '' : shellQuote(part)))
    .join(`"$${name}"`);
}

/** Runs the method the recipe asks for; `auto` (and a login shell that fails) falls back to the rc files. */
async function loginVariables(
  ctx: CaptureContext<EnvironmentWith>,
): Promise<{ method: EnvironmentFacts['method']; variables: Map<string, string> }> {
  const user = ctx.entry.split('/')[0] as string;
  const who = { user, home: `/${ctx.home}`, ids: ownerIds(ctx.accounts, user, ctx.root) };
  const running = ctx.root === '/';
  const useShell = ctx.with.method === 'login-shell' || (ctx.with.method === 'auto' && running);
  // As root, only the owner's own ids (or an owner who is root) may run the owner's scripts.
  const mayRun = process.getuid?.() !== 0 || who.ids !== undefined || ctx.accounts.userId.get(user) === 0;
  if (useShell && running && mayRun) {
    try {
      return { method: 'login-shell', variables: await loginShellVariables(who) };
    } catch (error) {
      ctx.output.emit({
        type: 'warning',
        message: `Cannot run a login shell of ${user} (${(error as Error).message}): reading the rc files' export lines instead`,
      });
    }
  } else if (ctx.with.method === 'login-shell') {
    ctx.output.emit({
      type: 'warning',
      message: `A login shell of ${user} can run only on the running system (--root /) as root or as ${user}: reading the rc files' export lines instead`,
    });
  }
  return { method: 'rc-files', variables: (await rcFileVariables(ctx.root, ctx.home, who)).variables };
}
