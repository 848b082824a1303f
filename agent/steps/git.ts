/**
 * The `git` step: for work areas that are git checkouts, the remote (without credentials), branch, commit,
 * whether the commit is on the remote, sparse patterns, and the uncommitted changes (`git diff --binary
 * HEAD`, attached to the version rather than put in the manifest). With `keepGitDir: false` the recipe
 * leaves `.git` out of the files (it can be gigabytes) and restore clones the remote at the commit before
 * the files are written; the files then overlay the work tree. An unreachable remote is a problem with the
 * command that clones by hand; the files still come back.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { expandHome, findPaths, SKIP_DIRS } from './atlas/find-paths.js';
import { cloneAt, type GitState, git, inspect } from './atlas/git-repo.js';
import { templateHomePath } from './atlas/home-template.js';
import { chownTree, type OwnerIds, ownerIds } from './run-tool.js';
import type { FactChange, FactStep, RestoreContext, RestoreProblem } from './step.js';

const schema = z
  .object({
    repos: z
      .array(z.string().min(1))
      .min(1, { error: 'must name at least one directory or glob' })
      .describe('Globs of directories that may be git checkouts, like "{home}/*/athena"'),
    keepGitDir: z
      .boolean()
      .default(true)
      .describe('false: the recipe excludes .git from files, and restore clones the remote at the commit'),
  })
  .strict();

type GitWith = z.output<typeof schema>;

export interface Checkout extends GitState {
  /** Root-relative path of the work tree, the home written as `{home}`. */
  readonly path: string;
  /** The attachment holding the uncommitted changes, when there are any. */
  readonly patch?: string | undefined;
}

export interface GitFacts {
  readonly checkouts: readonly Checkout[];
}

export const gitStep: FactStep<GitWith, GitFacts, z.input<typeof schema>> = {
  kind: 'git',
  heading:
    'Record git checkouts (remote, branch, commit, uncommitted changes) and clone them back on restore',
  schema,
  examples: [{ repos: ['{home}/*/athena'], keepGitDir: false }, { repos: ['{home}/analysis/*/source'] }],
  phase: 'before-files',

  async capture(ctx) {
    const checkouts: Checkout[] = [];
    for (const dir of await findPaths(ctx.root, ctx.with.repos, { home: ctx.home, skip: SKIP_DIRS })) {
      if (!existsSync(join(ctx.root, dir, '.git'))) continue;
      let inspected: Awaited<ReturnType<typeof inspect>>;
      try {
        inspected = await inspect(join(ctx.root, dir));
      } catch (error) {
        // A repository without commits, or a broken one: its files are still kept by the files step.
        ctx.output.emit({
          type: 'warning',
          path: dir,
          message: `Not recorded as a git checkout: ${(error as Error).message}`,
        });
        continue;
      }
      const { state, patch } = inspected;
      const path = templateHomePath(dir, ctx.home);
      let name: string | undefined;
      if (patch.length > 0) {
        name = `${createHash('sha256').update(path).digest('hex').slice(0, 16)}.patch`;
        ctx.attach(name, patch);
      }
      if (!state.onRemote) {
        ctx.output.emit({
          type: 'warning',
          path: dir,
          message: `Commit ${state.commit.slice(0, 12)} is on no remote branch (as of the last fetch): push it, or keep .git in the files`,
        });
      }
      checkouts.push({ path, ...state, patch: name });
    }
    return { checkouts };
  },

  async restore(ctx) {
    if (ctx.with.keepGitDir) {
      return {
        actions: ctx.facts.checkouts.map((c) => `${c.path}: .git comes back with the files`),
        problems: [],
      };
    }
    const actions: string[] = [];
    const problems: RestoreProblem[] = [];
    for (const checkout of ctx.facts.checkouts) {
      const outcome = await restoreCheckout(ctx, checkout);
      if (typeof outcome === 'string') actions.push(outcome);
      else problems.push(outcome);
    }
    return { actions, problems };
  },

  diff(before, after) {
    const changes: FactChange[] = [];
    const old = new Map(before.checkouts.map((c) => [c.path, c]));
    const now = new Map(after.checkouts.map((c) => [c.path, c]));
    for (const path of [...new Set([...old.keys(), ...now.keys()])].sort()) {
      const a = old.get(path);
      const b = now.get(path);
      const subject = `checkout ${path}`;
      if (a === undefined || b === undefined) {
        changes.push({
          change: a === undefined ? 'added' : 'removed',
          subject,
          detail: label((a ?? b) as Checkout),
        });
      } else if (label(a) !== label(b) || a.diff?.sha256 !== b.diff?.sha256) {
        const detail = label(a) !== label(b) ? `${label(a)} -> ${label(b)}` : 'uncommitted changes differ';
        changes.push({ change: 'modified', subject, detail });
      }
    }
    return changes;
  },

  describe(facts) {
    if (facts.checkouts.length === 0) return ['no git checkout found'];
    return facts.checkouts.map((c) => `${c.path}: ${label(c)}`);
  },
};

/** One checkout: an action line, or the problem that kept it from coming back. */
async function restoreCheckout(
  ctx: RestoreContext<GitWith, GitFacts>,
  c: Checkout,
): Promise<string | RestoreProblem> {
  const dir = expandHome(c.path, ctx.home);
  const target = join(ctx.root, dir);
  const byHand = `git clone ${c.remote ?? '<remote>'} /${dir} && git -C /${dir} checkout ${c.commit}`;
  const problem = (message: string, hint = byHand): RestoreProblem => ({
    step: 'git',
    kind: 'git',
    subject: `/${dir}`,
    message,
    hint,
  });
  if (existsSync(join(target, '.git'))) {
    const head = await git(target, ['rev-parse', 'HEAD']).then(
      (r) => r.stdout.toString().trim(),
      () => '',
    );
    if (head === c.commit) return `/${dir}: already a checkout of ${c.commit.slice(0, 12)}`;
    return problem(
      `/${dir} is already a git checkout, at ${head.slice(0, 12) || 'no commit'} instead of ${c.commit.slice(0, 12)}`,
      `git -C /${dir} fetch && git -C /${dir} checkout ${c.commit}`,
    );
  }
  if (c.remote === undefined)
    return problem(
      `/${dir} had no remote: its history cannot come back (the files do)`,
      `git -C /${dir} init`,
    );
  if (ctx.dryRun)
    return `clone ${c.remote} into /${dir} at ${c.commit.slice(0, 12)}${c.patch ? ', apply the uncommitted changes' : ''}`;
  const patch = c.patch === undefined ? undefined : await ctx.attachment(c.patch);
  const ids = ownerIds(ctx.accounts, ctx.entry.split('/')[0] as string, ctx.root);
  try {
    const empty = (await readdir(target).catch(() => [])).length === 0;
    await makeParents(ctx.root, dir, ids);
    if (empty && ids !== undefined && existsSync(target)) await chownTree(target, ids);
    if (empty) {
      await cloneAt(target, { ...c, remote: c.remote }, patch, ids);
    } else {
      // Files are already there: take only the history, and let the files step write the work tree.
      const temp = `${target}.vml-clone-${process.pid}`;
      try {
        await cloneAt(temp, { ...c, remote: c.remote }, undefined, ids);
        await rename(join(temp, '.git'), join(target, '.git'));
        await git(target, ['reset', '--quiet'], ids);
      } finally {
        await rm(temp, { recursive: true, force: true });
      }
    }
  } catch (error) {
    return problem(`Cannot clone /${dir}: ${(error as Error).message}`);
  }
  return `cloned ${c.remote} into /${dir} at ${c.commit.slice(0, 12)}${patch ? ' and applied the uncommitted changes' : ''}`;
}

/** Creates the missing parents of `dir` (root-relative), given to the owner so the owner's git can write there. */
async function makeParents(root: string, dir: string, ids: OwnerIds | undefined): Promise<void> {
  const missing: string[] = [];
  for (let p = dirname(dir); p !== '.' && p !== ''; p = dirname(p)) {
    if (
      await lstat(join(root, p)).then(
        () => true,
        () => false,
      )
    )
      break;
    missing.push(join(root, p));
  }
  await mkdir(join(root, dirname(dir)), { recursive: true });
  // Only the directories made here change hands: /home itself and the like stay as they are.
  if (ids !== undefined) for (const p of missing) await chownTree(p, ids).catch(() => undefined);
}

function label(c: Checkout): string {
  const where = c.branch === undefined ? 'detached' : c.branch;
  const extra = [c.onRemote ? 'on remote' : 'not on remote'];
  if (c.diff) extra.push(`${c.diff.bytes} bytes uncommitted`);
  if (c.sparse) extra.push(`sparse: ${c.sparse.length} patterns`);
  return `${where} at ${c.commit.slice(0, 12)} from ${c.remote ?? 'no remote'} (${extra.join(', ')})`;
}
