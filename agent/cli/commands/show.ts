/** vml-agent show: one version's manifest. */
import type { Sanitization } from '../../../logbook/format/manifest.js';
import { describeFacts } from '../../steps/facts.js';
import type { CommandDefinition } from '../command.js';

export const showCommand: CommandDefinition = {
  name: 'show',
  summary:
    'Show a version: metadata, recipe, steps, statistics and (public versions) the sanitization report',
  help: `VERSION is ENTRY@vN, ENTRY@<id prefix>, ENTRY@latest or ENTRY (its latest version).

Example:
  vml-agent show alice/higgs-ww@v7`,
  configure(cmd) {
    cmd.argument('<version>', 'ENTRY@VERSION');
  },
  async run(ctx, args) {
    const logbook = await ctx.openLogbook();
    const { id, manifest } = await logbook.resolve(args[0] as string);
    ctx.output.emit({
      type: 'show',
      version: `${manifest.entry}@v${manifest.seq}`,
      id,
      manifest,
      facts: describeFacts(manifest),
      sanitization: manifest.sanitization ? describeSanitization(manifest.sanitization) : undefined,
    });
    return undefined;
  },
};

/** The findings of a public version, one line each: action, path, sanitizer and kind (never a value). */
function describeSanitization(s: Sanitization): string[] {
  return [
    `public copy of ${s.fromVersion} (${s.from.slice(0, 8)}); ${s.findings.length} findings by ${s.sanitizers.length} sanitizers`,
    ...s.findings.map(
      (f) =>
        `${f.action.padEnd(10)} ${f.path}  [${f.sanitizer}: ${f.type}${f.count ? ` x${f.count}` : ''}]` +
        `${f.reason ? ` (${f.reason})` : ''}${f.restoreHint ? ` - to bring it back: ${f.restoreHint}` : ''}`,
    ),
  ];
}
