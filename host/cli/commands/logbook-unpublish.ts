/** vml logbook unpublish: take a version out of the server's public namespace. */
import { unpublishVersion } from '../../../logbook/server/public/publish.js';
import { dataOption, type HostCommand, storageOption, withServerData } from '../command.js';

export const logbookUnpublishCommand: HostCommand = {
  path: ['logbook', 'unpublish'],
  summary: 'Remove a version from the public namespace (its owner keeps it)',
  help: `Removes the public copy of ENTRY@VERSION (vN or an id prefix) from the public namespace, so no one
reads it any more at http://HOST:PORT/public. The owner's own version is not changed; "vml logbook publish"
copies it back. The blobs only this copy used are freed by the next gc of the public namespace. Written to
the audit log as "unpublish". Works while "vml logbook serve" runs. --dry-run names the version only.

Examples:
  vml logbook unpublish alice/higgs-ww@v7 --data /srv/vml --dry-run
  vml logbook unpublish alice/higgs-ww@3f2a9c1e --data /srv/vml`,
  configure(cmd) {
    storageOption(dataOption(cmd))
      .argument('<version>', 'ENTRY@VERSION, e.g. alice/higgs-ww@v7')
      .option('--dry-run', 'show the version; remove nothing');
  },
  async run(ctx, args, flags) {
    await withServerData(flags, { storage: true }, async (data) => {
      const dryRun = flags.dryRun === true;
      const version = args[0] ?? '';
      const done = await unpublishVersion(data, { version, actor: 'admin', dryRun });
      ctx.output.emit({
        type: 'server-public',
        action: 'unpublish',
        version: done.name,
        id: done.id,
        dryRun,
      });
    });
    return undefined;
  },
};
