/** vml-agent publish: a sanitized public copy of a private version, as a new version of the same entry. */
import { VmlError } from '../../../core/errors.js';
import type { SanitizationFinding } from '../../../logbook/format/manifest.js';
import { runSanitizers } from '../../../sanitizers/pipeline.js';
import { SANITIZERS, selectSanitizers } from '../../../sanitizers/registry.js';
import { runBackup } from '../../backup.js';
import { sanitizeFacts } from '../../publish/facts.js';
import { removeIdentities } from '../../publish/identities.js';
import { stageVersion } from '../../publish/stage.js';
import { readAccounts } from '../../steps/files/owners.js';
import type { CommandContext, CommandDefinition } from '../command.js';

export const publishCommand: CommandDefinition = {
  name: 'publish',
  summary: 'Make a sanitized public copy of a version, for colleagues',
  help: `Writes VERSION (default: the entry's latest version) into a private temporary directory (mode 0700,
under $TMPDIR), runs the sanitizers over it, shows what they found, and stores the result as a NEW public
version of the same entry. The private version is not changed. The public version records which private
version it came from and every finding (where and what kind, never a value); "vml-agent show" prints them.
Step facts (git remotes, environment variables) are sanitized too, and a public version never holds the
credential vault or the owner's identity file. A file that cannot be read or classified is left out, with
the reason (fail closed).

--public is required: publish makes public versions only. --dry-run shows the findings and writes nothing.
--sanitizers selects: "defaults", "all", names, and "-NAME" to leave one out, applied left to right.

Examples:
  vml-agent publish --public --dry-run
  vml-agent publish alice/higgs-ww@v7 --public
  vml-agent publish alice/higgs-ww@v7 --public --sanitizers defaults,-shell-history
  vml-agent publish --list-sanitizers`,
  configure(cmd) {
    cmd
      .argument('[version]', 'ENTRY@VERSION to publish (default: the latest version of the entry)')
      .option('--public', 'make a public version (required)')
      .option('-n, --dry-run', 'show what would be removed; write nothing')
      .option('--sanitizers <list>', 'which sanitizers run, e.g. defaults,-shell-history', 'defaults')
      .option('--list-sanitizers', 'list the sanitizers ("*": selected) and exit');
  },
  async run(ctx, args, flags) {
    const selection = String(flags.sanitizers ?? 'defaults');
    const selected = new Set(selectSanitizers(selection).map((s) => s.name)); // an unknown name: E_USAGE
    if (flags.listSanitizers === true) {
      for (const s of SANITIZERS) {
        const { name, heading, enabledByDefault } = s;
        ctx.output.emit({
          type: 'publish-sanitizer',
          name,
          heading,
          enabledByDefault,
          selected: selected.has(name),
        });
      }
      return undefined;
    }
    if (flags.public !== true) {
      throw new VmlError('E_USAGE', 'Publish makes public versions only: --public is missing', {
        hint: 'Run "vml-agent publish --public --dry-run" to see what a public version would leave out',
      });
    }
    return publish(ctx, args[0], { selection, sanitizers: [...selected], dryRun: flags.dryRun === true });
  },
};

async function publish(
  ctx: CommandContext,
  spec: string | undefined,
  o: { selection: string; sanitizers: string[]; dryRun: boolean },
): Promise<undefined> {
  const started = Date.now();
  const logbook = await ctx.openLogbook();
  // A shared lock keeps gc from removing packs while the version is staged (the new version takes its own).
  const lock = await logbook.lock({
    exclusive: false,
    purpose: 'publish',
    onStale: (message) => ctx.output.emit({ type: 'warning', message }),
  });
  try {
    const version = await logbook.resolve(spec ?? ctx.entry());
    const from = `${version.manifest.entry}@v${version.manifest.seq}`;
    if (version.manifest.visibility === 'public') {
      throw new VmlError('E_USAGE', `${from} is already public`, {
        hint: 'Publish the private version it came from (see "vml-agent show")',
      });
    }
    const accounts = await readAccounts(ctx.config.root);
    const staged = await stageVersion(logbook, version.manifest, {
      accounts,
      output: ctx.output,
      signal: ctx.signal,
    });
    try {
      for (const problem of staged.problems) ctx.output.debug(`staging: ${problem}`);
      const files = await runSanitizers(staged.root, {
        selection: o.selection,
        dryRun: o.dryRun,
        signal: ctx.signal,
        onProgress: (done, total) =>
          ctx.output.emit({
            type: 'progress',
            phase: 'sanitizing',
            files: done,
            bytes: 0,
            totalFiles: total,
          }),
      });
      const facts = await sanitizeFacts(version.manifest.steps ?? {}, {
        selection: o.selection,
        signal: ctx.signal,
      });
      const findings: SanitizationFinding[] = [
        ...files.findings,
        ...(await removeIdentities(staged.root, accounts, o.dryRun)),
        ...facts.findings,
      ];
      for (const f of findings) {
        ctx.output.emit({
          type: 'publish-finding',
          sanitizer: f.sanitizer,
          kind: f.type,
          path: f.path,
          action: f.action,
          credential: f.credential,
          count: f.count,
          reason: f.reason,
          restoreHint: f.restoreHint,
        });
      }
      const summary = { type: 'publish-summary', dryRun: o.dryRun, from, findings: findings.length } as const;
      if (o.dryRun) {
        const s = version.manifest.stats;
        const seconds = (Date.now() - started) / 1000;
        ctx.output.emit({ ...summary, files: s.files, bytes: s.bytes, seconds });
        return undefined;
      }
      const m = version.manifest;
      const made = await runBackup({
        logbook,
        root: staged.root,
        entry: m.entry,
        recipe: { name: m.recipe.name, hash: m.recipe.hash, description: '', file: '', steps: [] },
        reason: 'manual',
        // Not the private message: it is free text, and the sanitizers have not seen it.
        message: `Public copy of ${from}`,
        output: ctx.output,
        signal: ctx.signal,
        publish: {
          facts: facts.steps,
          root: m.root,
          accounts,
          sanitization: { from: version.id, fromVersion: from, sanitizers: o.sanitizers, findings },
        },
      });
      ctx.output.emit({
        ...summary,
        version: `${made.manifest.entry}@v${made.manifest.seq}`,
        id: made.id,
        files: made.manifest.stats.files,
        bytes: made.manifest.stats.bytes,
        seconds: (Date.now() - started) / 1000,
      });
      return undefined;
    } finally {
      await staged.dispose();
    }
  } finally {
    await lock.release();
  }
}
