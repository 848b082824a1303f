/** The `server-token` event of a token record, without its secret. */
import type { ServerToken } from '../../../core/events.js';
import type { TokenRecord } from '../../../logbook/server/metadata.js';

export function tokenEvent(record: TokenRecord): ServerToken {
  return {
    type: 'server-token',
    id: record.id,
    user: record.user,
    label: record.label,
    scope: `${record.scope.entries}:${record.scope.access}`,
    created: record.created,
    revoked: record.revoked,
  };
}
