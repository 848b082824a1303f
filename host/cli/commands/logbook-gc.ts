/** vml logbook gc: reclaim the data no version uses in one user's namespace or in the public namespace. */
import { isVmlError, VmlError } from '../../../core/errors.js';
import { gc } from '../../../logbook/gc.js';
import { Logbook } from '../../../logbook/logbook.js';
import { PUBLIC_NAMESPACE, type Storage } from '../../../logbook/server/storage.js';
import { dataOption, type HostCommand, storageOption, withServerData } from '../command.js';

/** Unindexed packs younger than this may belong to a backup or publish still writing; as vml-agent gc. */
const GRACE_MS = 3_600_000;

export const logbookGcCommand: HostCommand = {
  path: ['logbook', 'gc'],
  summary: "Reclaim space in a user's namespace or in the public namespace",
  help: `Runs gc, as "vml-agent gc" does, on the server's storage: removes the packs no version of USER's
namespace uses, repacks mostly-dead ones and folds the index files into one. With --public it works on the
public namespace, where unpublished versions (vml logbook unpublish, or an owner deleting a public version)
leave their blobs until gc frees the ones no other public version uses. Takes the namespace's exclusive
lock: an agent's backup (or a publish, for --public) waits or is refused meanwhile; unindexed packs younger
than one hour are kept. Works while "vml logbook serve" runs. --dry-run reports what would be freed.

Examples:
  vml logbook gc --public --data /srv/vml --dry-run
  vml logbook gc --public --data /srv/vml
  vml logbook gc alice --data /srv/vml
  vml logbook gc alice --data /srv/vml --storage s3://ceph.example.org:7480/vml`,
  configure(cmd) {
    storageOption(dataOption(cmd))
      .argument('[user]', 'the user whose namespace to collect')
      .option('--public', 'collect the public namespace')
      .option('-n, --dry-run', 'report what would be freed; change nothing');
  },
  async run(ctx, args, flags) {
    const user = args[0];
    const isPublic = flags.public === true;
    if ((user === undefined) === !isPublic) {
      throw new VmlError('E_USAGE', 'Name one namespace: a user, or --public', {
        hint: 'For example "vml logbook gc alice" or "vml logbook gc --public"',
      });
    }
    await withServerData(flags, { storage: true }, async (data) => {
      if (user !== undefined && !(await data.metadata.findUser(user))) {
        throw new VmlError('E_USAGE', `Cannot collect the namespace of "${user}": there is no such user`, {
          hint: 'List users with "vml logbook user list"',
        });
      }
      const logbook = await openNamespace(data.storage, user);
      const dryRun = flags.dryRun === true;
      const result = await gc(logbook, {
        graceMs: GRACE_MS,
        dryRun,
        onStale: (message) => ctx.output.emit({ type: 'warning', message }),
        onProgress: (e) => {
          if (e.type === 'warning') ctx.output.emit({ type: 'warning', message: e.message });
        },
        signal: ctx.signal,
      });
      const { packsDeleted, packsRepacked, bytesFreed, bytesBefore, bytesAfter } = result;
      ctx.output.emit({
        type: 'gc-summary',
        dryRun,
        packsDeleted,
        packsRepacked,
        bytesFreed,
        bytesBefore,
        bytesAfter,
      });
    });
    return undefined;
  },
};

async function openNamespace(storage: Storage, user: string | undefined): Promise<Logbook> {
  try {
    return await Logbook.open(await storage.namespace(user ?? PUBLIC_NAMESPACE));
  } catch (error) {
    if (!isVmlError(error) || error.code !== 'E_NO_LOGBOOK') throw error;
    const where = user === undefined ? 'the public namespace' : `the namespace of "${user}"`;
    throw new VmlError('E_NO_LOGBOOK', `Nothing to collect: ${where} holds no logbook yet`, {
      hint:
        user === undefined ? 'Nothing was ever published on this server' : `"${user}" has not backed up yet`,
      cause: error,
    });
  }
}
