/** vml logbook user list: the users of the logbook server. */
import { openServerData } from '../../../logbook/server/data-dir.js';
import { databaseOptions, dataDir, dataOption, type HostCommand, serverUserEvent } from '../command.js';

export const logbookUserListCommand: HostCommand = {
  path: ['logbook', 'user', 'list'],
  summary: 'List the users of the logbook server',
  help: `Examples:
  vml logbook user list --data /srv/vml
  vml logbook user list --data /srv/vml --json | jq -r .name
  vml logbook user list --data /srv/vml --database postgres://vml@db.example.org/vml --database-password-file db.pw`,
  configure(cmd) {
    dataOption(cmd);
  },
  async run(ctx, _args, flags) {
    const data = await openServerData(dataDir(flags), databaseOptions(flags));
    try {
      for (const user of await data.metadata.listUsers()) {
        ctx.output.emit(serverUserEvent(user));
      }
    } finally {
      await data.close();
    }
    return undefined;
  },
};
