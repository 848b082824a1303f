/** vml logbook token revoke: stop a token from working, at once, also for a running server. */
import { VmlError } from '../../../core/errors.js';
import { revokeToken } from '../../../logbook/server/admin.js';
import { dataOption, type HostCommand, withServerData } from '../command.js';
import { tokenEvent } from './token-event.js';

export const logbookTokenRevokeCommand: HostCommand = {
  path: ['logbook', 'token', 'revoke'],
  summary: 'Revoke an API token by its id (from "token list")',
  help: `The server checks tokens on every request, so the token stops working at once, also while
"vml logbook serve" runs. The revocation is written to the audit log. --dry-run shows the token only.

Examples:
  vml logbook token revoke 3f2a9c1e0b7d --data /srv/vml --dry-run
  vml logbook token revoke 3f2a9c1e0b7d --data /srv/vml
  VML_SERVER_DATABASE=postgres://vml@db.example.org/vml vml logbook token revoke 3f2a9c1e0b7d --data /srv/vml`,
  configure(cmd) {
    dataOption(cmd)
      .argument('<id>', 'the token id (12 hex digits)')
      .option('--dry-run', 'show the token; revoke nothing');
  },
  async run(ctx, args, flags) {
    const id = args[0] ?? '';
    await withServerData(flags, { storage: false }, async (data) => {
      if (flags.dryRun === true) {
        const record = await data.metadata.findToken(id);
        if (!record || record.revoked !== undefined) {
          throw new VmlError(
            'E_NOT_FOUND',
            `Cannot revoke token "${id}": there is no live token with that id`,
            {
              hint: 'List the tokens with "vml logbook token list"',
            },
          );
        }
        ctx.output.emit({ ...tokenEvent(record), dryRun: true });
      } else {
        const record = await revokeToken(data.metadata, id);
        ctx.output.emit(tokenEvent((await data.metadata.findToken(id)) ?? record));
      }
    });
    return undefined;
  },
};
