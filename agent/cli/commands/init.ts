/** vml-agent init: create the logbook if needed and write /etc/vml/agent.yaml. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { VmlError } from '../../../core/errors.js';
import { isBackendError } from '../../../logbook/backend/backend.js';
import { openBackend, stripCredentials } from '../../../logbook/backend/open.js';
import { Logbook } from '../../../logbook/logbook.js';
import { checkEntryName } from '../../../logbook/version-spec.js';
import { CONFIG_PATH } from '../../config/load.js';
import { loadRecipe } from '../../recipes/load.js';
import { type CommandDefinition, requireLogbook } from '../command.js';

export const initCommand: CommandDefinition = {
  name: 'init',
  summary: 'Create the logbook (if needed) and write the agent configuration',
  help: `Creates the logbook at --logbook when there is none (a "dir:" location must be absent or an empty
directory) and writes ROOT/etc/vml/agent.yaml with the logbook, entry and recipe, so later commands and the
shutdown backup need no options. With --no-config only the logbook is created.

Examples:
  vml-agent init --logbook dir:/srv/vml --entry alice/higgs-ww
  vml-agent init --root /mnt/guest --logbook dir:/tmp/lb --entry alice/test --recipe home`,
  configure(cmd) {
    cmd
      .option('--recipe <name>', 'the recipe backups use (default "home")')
      .option('--no-config', 'only create the logbook; write no agent.yaml');
  },
  async run(ctx, _args, flags) {
    const url = requireLogbook(ctx.config);
    if (ctx.config.entry) checkEntryName(ctx.config.entry);
    if (ctx.config.recipe) await loadRecipe(ctx.config.recipe, { dirs: ctx.config.recipeDirs });
    const created = await createLogbookIfAbsent(url);
    let configPath: string | undefined;
    if (flags.config !== false) {
      configPath = join(ctx.config.root, CONFIG_PATH);
      const content: Record<string, string> = { logbook: url };
      if (ctx.config.entry) content.entry = ctx.config.entry;
      if (ctx.config.recipe) content.recipe = ctx.config.recipe;
      await mkdir(dirname(configPath), { recursive: true });
      await writeFile(
        configPath,
        `# Written by "vml-agent init"; see "vml-agent init --help"\n${stringify(content)}`,
        { mode: 0o644 },
      );
    }
    ctx.output.emit({ type: 'init-summary', logbook: stripCredentials(url), created, config: configPath });
    return undefined;
  },
};

/** Creates the logbook unless one is there; refuses a non-empty directory that is not a logbook. */
async function createLogbookIfAbsent(url: string): Promise<boolean> {
  const backend = await openBackend(url, { create: false }).catch(() => undefined);
  if (backend) {
    try {
      await backend.stat({ type: 'config', name: 'config' });
      await Logbook.open(backend); // validates that it is ours and readable
      return false;
    } catch (error) {
      if (!isBackendError(error, 'NOT_FOUND')) throw error;
    }
  }
  if (url.startsWith('dir:') || url.startsWith('/')) {
    const path = url.startsWith('dir:') ? url.slice(4) : url;
    const names = await readdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTDIR') return [] as string[];
      throw new VmlError(
        'E_LOGBOOK_FOREIGN',
        `Cannot create a logbook in "${path}": it is a file, not a directory`,
        {
          hint: 'Choose an empty or new directory',
        },
      );
    });
    if (names.length > 0) {
      throw new VmlError(
        'E_LOGBOOK_FOREIGN',
        `Cannot create a logbook in "${path}": the directory is not empty and holds no logbook`,
        {
          hint: 'Choose an empty or new directory',
        },
      );
    }
  }
  await Logbook.init(await openBackend(url, { create: true }));
  return true;
}
