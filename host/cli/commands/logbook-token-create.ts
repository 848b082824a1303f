/** vml logbook token create: make an API token for an agent; the secret is shown once. */
import { writeFile } from 'node:fs/promises';
import { explainFsError, VmlError } from '../../../core/errors.js';
import { createToken } from '../../../logbook/server/admin.js';
import { dataOption, type HostCommand, withServerData } from '../command.js';
import { tokenEvent } from './token-event.js';

export const logbookTokenCreateCommand: HostCommand = {
  path: ['logbook', 'token', 'create'],
  summary: 'Make an API token for USER (shown once, stored only as a hash)',
  help: `The scope says what the token may do to which of USER's entries: [GLOB:]ACCESS, where GLOB matches
entry names (default "USER/*") and ACCESS is one of
  read    list and read versions
  append  also add versions (and take locks), never remove or replace anything: for the shutdown backup
  full    also delete versions and run gc (default)
The token is printed once (or, with --output, written to a new file readable by you only). Give it to the
agent through VML_TOKEN or VML_TOKEN_FILE, never on a command line. Works while the server runs.

Examples:
  vml logbook token create alice --data /srv/vml
  vml logbook token create alice --scope append --label "vm3 shutdown backup" --output /root/vm3.token
  vml logbook token create alice --scope 'alice/higgs-*:read' --data /srv/vml --json`,
  configure(cmd) {
    dataOption(cmd)
      .argument('<user>', 'the user the token acts as')
      .option('--scope <scope>', 'what the token may do: [GLOB:]read|append|full (default "full")')
      .option('--label <text>', 'a note to tell tokens apart in "token list"')
      .option('--output <file>', 'write the token to this new file (mode 0600) instead of printing it');
  },
  async run(ctx, args, flags) {
    await withServerData(flags, { storage: false }, async (data) => {
      const { record, token } = await createToken(data.metadata, args[0] ?? '', {
        scope: typeof flags.scope === 'string' ? flags.scope : undefined,
        label: typeof flags.label === 'string' ? flags.label : undefined,
      });
      if (typeof flags.output === 'string') {
        await saveToken(flags.output, token);
        ctx.output.emit({ ...tokenEvent(record), savedTo: flags.output });
      } else {
        ctx.output.emit({ ...tokenEvent(record), token });
      }
    });
    return undefined;
  },
};

async function saveToken(path: string, token: string): Promise<void> {
  try {
    await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new VmlError('E_USAGE', `Cannot write the token to "${path}": the file exists`, {
        hint: 'Choose a new file; the token made now is not saved, revoke it with "vml logbook token revoke"',
      });
    }
    throw explainFsError(error, path);
  }
}
