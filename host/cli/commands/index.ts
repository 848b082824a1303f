/** The commands of vml, in the order --help lists them (an explicit list, no self-registration). */
import type { HostCommand } from '../command.js';
import { logbookGcCommand } from './logbook-gc.js';
import { logbookPublishCommand } from './logbook-publish.js';
import { logbookServeCommand } from './logbook-serve.js';
import { logbookTokenCreateCommand } from './logbook-token-create.js';
import { logbookTokenListCommand } from './logbook-token-list.js';
import { logbookTokenRevokeCommand } from './logbook-token-revoke.js';
import { logbookUnpublishCommand } from './logbook-unpublish.js';
import { logbookUserAddCommand } from './logbook-user-add.js';
import { logbookUserListCommand } from './logbook-user-list.js';
import { logbookUserQuotaCommand } from './logbook-user-quota.js';

export const HOST_COMMANDS: readonly HostCommand[] = [
  logbookServeCommand,
  logbookUserAddCommand,
  logbookUserListCommand,
  logbookUserQuotaCommand,
  logbookTokenCreateCommand,
  logbookTokenListCommand,
  logbookTokenRevokeCommand,
  logbookPublishCommand,
  logbookUnpublishCommand,
  logbookGcCommand,
];
