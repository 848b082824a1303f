/** vml logbook user list: the users of the logbook server, with their quota and stored bytes. */
import { namespaceUsage } from '../../../logbook/server/quota.js';
import { dataOption, type HostCommand, serverUserEvent, storageOption, withServerData } from '../command.js';

export const logbookUserListCommand: HostCommand = {
  path: ['logbook', 'user', 'list'],
  summary: 'List the users of the logbook server',
  help: `Each line shows the user's quota ("vml logbook user quota") and the bytes their namespace stores now,
counted by listing it.

Examples:
  vml logbook user list --data /srv/vml
  vml logbook user list --data /srv/vml --json | jq -r .name
  vml logbook user list --data /srv/vml --database postgres://vml@db.example.org/vml --database-password-file db.pw`,
  configure(cmd) {
    storageOption(dataOption(cmd));
  },
  async run(ctx, _args, flags) {
    await withServerData(flags, { storage: true }, async (data) => {
      for (const user of await data.metadata.listUsers()) {
        const used = await namespaceUsage(await data.storage.namespace(user.name));
        ctx.output.emit(serverUserEvent(user, used));
      }
    });
    return undefined;
  },
};
