/** vml-agent diff: what changed between two versions, or between a version and the live root. */

import { compareFlat, type FlatTree, flattenVersion } from '../../../logbook/flat-tree.js';
import type { Logbook, VersionRef } from '../../../logbook/logbook.js';
import { loadRecipe } from '../../recipes/load.js';
import { flattenLive } from '../../restore/flatten.js';
import { captureFacts, diffFacts, type RecordedStep } from '../../steps/facts.js';
import { readAccounts } from '../../steps/files/owners.js';
import { scopeOf } from '../../steps/files/scope-of.js';
import type { CommandContext, CommandDefinition } from '../command.js';

export const diffCommand: CommandDefinition = {
  name: 'diff',
  summary: 'List files added, removed and modified between two versions (or a version and the live root)',
  help: `Without V2, compares V1 with the live root as the version's recipe sees it. Files of two versions
are compared by content; live files by size and modification time, as backup's stat cache does.
Marks: + added, - removed, M modified, m metadata only (mode, owner, mtime, xattrs), T type changed.

Examples:
  vml-agent diff alice/higgs-ww@v6 alice/higgs-ww@v7
  vml-agent diff alice/higgs-ww@v7          # what changed since v7`,
  configure(cmd) {
    cmd
      .argument('<v1>', 'ENTRY@VERSION')
      .argument('[v2]', 'ENTRY@VERSION (default: the live root)')
      .option('--recipe <name>', "the scope compared with the live root (default: the version's recipe)");
  },
  async run(ctx, args) {
    const logbook = await ctx.openLogbook();
    const from = await logbook.resolve(args[0] as string);
    const before = await flattenVersion(logbook, from.manifest.tree);
    let after: FlatTree;
    let afterFacts: Readonly<Record<string, RecordedStep>>;
    let toName = 'live root';
    if (args[1]) {
      const to = await logbook.resolve(args[1]);
      after = await flattenVersion(logbook, to.manifest.tree);
      afterFacts = to.manifest.steps;
      toName = `${to.manifest.entry}@v${to.manifest.seq}`;
    } else {
      ({ tree: after, facts: afterFacts } = await liveState(ctx, logbook, from));
    }
    for (const { step, change } of diffFacts(from.manifest.steps, afterFacts)) {
      ctx.output.emit({ type: 'diff-fact', step, ...change });
    }
    const totals = { added: 0, removed: 0, modified: 0, metadata: 0, bytesAdded: 0, bytesRemoved: 0 };
    for (const c of compareFlat(before, after)) {
      const node = c.after ?? c.before;
      ctx.output.emit({
        type: 'diff-item',
        change: c.change,
        path: c.path,
        kind: node?.type ?? 'file',
        size: c.after?.size,
        oldSize: c.change === 'modified' ? c.before?.size : undefined,
        fields: c.change === 'metadata' ? c.fields : undefined,
      });
      if (c.change === 'added') totals.added++;
      else if (c.change === 'removed') totals.removed++;
      else if (c.change === 'metadata') totals.metadata++;
      else totals.modified++;
      totals.bytesAdded += c.change === 'metadata' ? 0 : (c.after?.size ?? 0);
      totals.bytesRemoved += c.change === 'metadata' ? 0 : (c.before?.size ?? 0);
    }
    ctx.output.emit({
      type: 'diff-summary',
      from: `${from.manifest.entry}@v${from.manifest.seq}`,
      to: toName,
      ...totals,
    });
    return undefined;
  },
};

/** The live root as the version's recipe sees it: its files, and its facts captured afresh. */
async function liveState(
  ctx: CommandContext,
  logbook: Logbook,
  version: VersionRef,
): Promise<{ tree: FlatTree; facts: Record<string, RecordedStep> }> {
  const recipe = await loadRecipe(ctx.config.recipe ?? version.manifest.recipe.name, {
    dirs: ctx.config.recipeDirs,
  });
  const root = ctx.config.root;
  const entry = version.manifest.entry;
  const accounts = await readAccounts(root);
  // Facts first, as a backup takes them: what they keep their own way (sealed credentials) is not a file.
  const { steps, excluded, substitutes } = await captureFacts(recipe, {
    root,
    entry,
    accounts,
    output: ctx.output,
    signal: ctx.signal,
    scope: scopeOf(recipe, accounts, entry),
    recipient: ctx.config.recipient,
  });
  const scope = scopeOf(recipe, accounts, entry, excluded);
  const tree = await flattenLive(root, { scope, logbook, accounts, output: ctx.output });
  // A backup would store the redacted copy: compare that, or every such file would show as modified.
  for (const [path, bytes] of substitutes) {
    const node = tree.get(path);
    if (node) tree.set(path, { ...node, size: bytes.length });
  }
  return { tree, facts: steps };
}
