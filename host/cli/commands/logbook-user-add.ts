/** vml logbook user add: add a user of the logbook server. */
import { readFile } from 'node:fs/promises';
import { VmlError } from '../../../core/errors.js';
import { addUser } from '../../../logbook/server/admin.js';
import { dataOption, type HostCommand, serverUserEvent, withServerData } from '../command.js';

export const logbookUserAddCommand: HostCommand = {
  path: ['logbook', 'user', 'add'],
  summary: 'Add a user of the logbook server',
  help: `NAME owns the entries NAME/* and gets a private namespace on the server. A password (for the web
sign-in to come) is read from the first line of --password-file, never from the command line, and stored as
an scrypt hash; agents use tokens ("vml logbook token create NAME"). Works while the server runs.

Examples:
  vml logbook user add alice --data /srv/vml
  vml logbook user add bob --admin --password-file /root/bob.pw --data /srv/vml
  vml logbook user add carol --data /srv/vml --database postgres://vml@db.example.org/vml  # PGPASSWORD set`,
  configure(cmd) {
    dataOption(cmd)
      .argument('<name>', 'user name: lowercase letters, digits, "-" and "_"')
      .option('--admin', 'may administer the server (web interface, to come)')
      .option('--password-file <file>', 'file whose first line is the password');
  },
  async run(ctx, args, flags) {
    const password =
      typeof flags.passwordFile === 'string' ? await readPassword(flags.passwordFile) : undefined;
    await withServerData(flags, { storage: false }, async (data) => {
      const user = await addUser(data.metadata, args[0] ?? '', { admin: flags.admin === true, password });
      ctx.output.emit(serverUserEvent(user));
    });
    return undefined;
  },
};

async function readPassword(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new VmlError('E_USAGE', `Cannot read the password file "${file}": ${(error as Error).message}`, {
      hint: 'Write the password on the first line of a file readable by you only',
      cause: error,
    });
  }
  return text.split(/\r?\n/)[0] ?? '';
}
