/** vml logbook user quota: set or lift the storage quota of a user of the logbook server. */
import { VmlError } from '../../../core/errors.js';
import { formatBytes } from '../../../core/format.js';
import { namespaceUsage, parseQuota } from '../../../logbook/server/quota.js';
import { dataOption, type HostCommand, serverUserEvent, storageOption, withServerData } from '../command.js';

export const logbookUserQuotaCommand: HostCommand = {
  path: ['logbook', 'user', 'quota'],
  summary: 'Set or lift the storage quota of a user of the logbook server',
  help: `SIZE is the most bytes NAME's namespace may store (their packs, indexes and versions), in binary
units: 500M, 20G, 1.5T (K, M, G, T = 1024^1..4; a bare number is bytes), or "none" for no limit. A save
that would take the namespace over it is refused (HTTP 507, code QUOTA): the agent's backup stops with the
logbook valid and says how to make room. A lower quota than the usage refuses new data until versions are
deleted and gc has run; deleting is always allowed. Prints the usage now. Takes effect at the next save,
also for a running server.

Examples:
  vml logbook user quota alice 20G --data /srv/vml
  vml logbook user quota alice none --data /srv/vml
  vml logbook user quota alice 500M --dry-run --data /srv/vml`,
  configure(cmd) {
    storageOption(dataOption(cmd))
      .argument('<name>', 'the user')
      .argument('<size>', 'e.g. 500M, 20G, 1.5T, or "none"')
      .option('-n, --dry-run', 'show the user, usage and quota that would be set; change nothing');
  },
  async run(ctx, args, flags) {
    const [name = '', sizeText = ''] = args;
    let quota: number | null;
    try {
      quota = parseQuota(sizeText);
    } catch (error) {
      throw new VmlError('E_USAGE', (error as Error).message, {
        hint: 'Give the quota as a number with K, M, G or T (binary units), e.g. 20G, or "none"',
      });
    }
    await withServerData(flags, { storage: true }, async (data) => {
      const user = await data.metadata.findUser(name);
      if (!user) {
        throw new VmlError('E_USAGE', `Cannot set the quota of "${name}": there is no such user`, {
          hint: 'List users with "vml logbook user list"',
        });
      }
      const used = await namespaceUsage(await data.storage.namespace(name));
      const dryRun = flags.dryRun === true;
      if (!dryRun) await data.metadata.setQuota(name, quota);
      ctx.output.emit({
        ...serverUserEvent({ ...user, quota: quota ?? undefined }, used),
        ...(dryRun ? { dryRun } : {}),
      });
      if (quota !== null && used > quota) {
        ctx.output.emit({
          type: 'warning',
          message: `User "${name}" stores ${formatBytes(used)}, more than the quota: new data is refused until old versions are deleted and gc has run`,
        });
      }
    });
    return undefined;
  },
};
