/** vml-agent show: one version's manifest. */
import { describeFacts } from '../../steps/facts.js';
import type { CommandDefinition } from '../command.js';

export const showCommand: CommandDefinition = {
  name: 'show',
  summary: 'Show a version: metadata, recipe, steps and statistics',
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
    });
    return undefined;
  },
};
