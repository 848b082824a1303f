/** vml logbook publish: copy an owner's public version (again) into the server's public namespace. */
import { VmlError } from '../../../core/errors.js';
import { checkUserName } from '../../../logbook/server/auth.js';
import { publishVersion } from '../../../logbook/server/public/publish.js';
import { sanitizerScan } from '../../server/scan.js';
import { dataOption, type HostCommand, storageOption, withServerData } from '../command.js';

export const logbookPublishCommand: HostCommand = {
  path: ['logbook', 'publish'],
  summary: "Copy an owner's public version into the public namespace again (after unpublish)",
  help: `A public version ("vml-agent publish --public") is published when its owner saves it; this puts
one back after "vml logbook unpublish". ENTRY@VERSION names a version in the owner's logbook (the owner is
the part of ENTRY before "/"); it must be public. The server checks it as it checks every public version:
a sanitization report, no attachments, and a new content scan of every file, which must find nothing. The
copy is written to the audit log as "publish". --dry-run checks and scans, and copies nothing.

Examples:
  vml logbook publish alice/higgs-ww@v8 --data /srv/vml --dry-run
  vml logbook publish alice/higgs-ww@v8 --data /srv/vml`,
  configure(cmd) {
    storageOption(dataOption(cmd))
      .argument('<version>', "ENTRY@VERSION of the owner's public version, e.g. alice/higgs-ww@v8")
      .option('--dry-run', 'check and scan; copy nothing');
  },
  async run(ctx, args, flags) {
    const version = args[0] ?? '';
    const owner = version.split('/')[0] ?? '';
    if (!version.includes('/')) {
      throw new VmlError('E_USAGE', `Cannot publish "${version}": expected OWNER/NAME@VERSION`, {
        hint: 'For example alice/higgs-ww@v8',
      });
    }
    checkUserName(owner);
    await withServerData(flags, { storage: true }, async (data) => {
      const dryRun = flags.dryRun === true;
      const done = await publishVersion(
        { ...data, scan: sanitizerScan },
        { owner, version, actor: 'admin', dryRun },
      );
      ctx.output.emit({ type: 'server-public', action: 'publish', version: done.name, id: done.id, dryRun });
    });
    return undefined;
  },
};
