/** vml logbook token list: tokens of the logbook server (never their secrets). */
import { dataOption, type HostCommand, withServerData } from '../command.js';
import { tokenEvent } from './token-event.js';

export const logbookTokenListCommand: HostCommand = {
  path: ['logbook', 'token', 'list'],
  summary: 'List API tokens: id, user, scope, date, label (secrets are not kept)',
  help: `Without USER, lists every user's tokens. Revoked tokens are listed with --all only.

Examples:
  vml logbook token list --data /srv/vml
  vml logbook token list alice --all --data /srv/vml --json`,
  configure(cmd) {
    dataOption(cmd).argument('[user]', "only this user's tokens").option('--all', 'also list revoked tokens');
  },
  async run(ctx, args, flags) {
    await withServerData(flags, { storage: false }, async (data) => {
      for (const record of await data.metadata.listTokens(args[0])) {
        if (record.revoked === undefined || flags.all === true) ctx.output.emit(tokenEvent(record));
      }
    });
    return undefined;
  },
};
