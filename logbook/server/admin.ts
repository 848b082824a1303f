/**
 * Administration shared by the host commands (`vml logbook user|token …`) and the tests: adding users and
 * making, listing and revoking tokens, each written to the audit log.
 */
import { VmlError } from '../../core/errors.js';
import type { TokenScope } from './api-types.js';
import { checkUserName, hashPassword, newToken, parseScope } from './auth.js';
import type { Metadata, TokenRecord, User } from './metadata.js';

/** Who the host's administration commands act as, in the audit log (the web pages pass the signed-in admin). */
const ADMIN_ACTOR = 'admin';

/** Adds a user, with a password hash when a password is given. */
export async function addUser(
  metadata: Metadata,
  name: string,
  options: { admin?: boolean; password?: string | undefined; actor?: string | undefined } = {},
): Promise<User> {
  checkUserName(name);
  if (options.password !== undefined && options.password.length < 8) {
    throw new VmlError('E_USAGE', `Cannot use that password for "${name}": it is shorter than 8 characters`, {
      hint: 'Put a longer password in the --password-file',
    });
  }
  const passwordHash = options.password === undefined ? undefined : await hashPassword(options.password);
  const user = await metadata.addUser({ name, admin: options.admin === true, passwordHash });
  await metadata.audit({ actor: options.actor ?? ADMIN_ACTOR, action: 'user-add', target: name });
  return user;
}

/** Makes a token for `user`; the returned `token` is the only copy of the secret. */
export async function createToken(
  metadata: Metadata,
  user: string,
  options: { label?: string | undefined; scope?: string | undefined; actor?: string | undefined } = {},
): Promise<{ record: TokenRecord; token: string }> {
  if (!(await metadata.findUser(user))) {
    throw new VmlError('E_NOT_FOUND', `Cannot make a token for "${user}": there is no such user`, {
      hint: `Add the user first: vml logbook user add ${user}`,
    });
  }
  const scope: TokenScope = parseScope(options.scope ?? 'full', user);
  const { id, token, hash } = newToken();
  const record = await metadata.addToken({ id, user, label: options.label ?? '', scope, hash });
  await metadata.audit({
    actor: options.actor ?? ADMIN_ACTOR,
    action: 'token-create',
    target: `${user} ${id}`,
  });
  return { record, token };
}

/** Revokes a token by id; E_NOT_FOUND when there is no live token with that id. */
export async function revokeToken(
  metadata: Metadata,
  id: string,
  options: { actor?: string | undefined } = {},
): Promise<TokenRecord> {
  const record = await metadata.findToken(id);
  if (!record || record.revoked !== undefined || !(await metadata.revokeToken(id))) {
    throw new VmlError('E_NOT_FOUND', `Cannot revoke token "${id}": there is no live token with that id`, {
      hint: 'List the tokens with "vml logbook token list"',
    });
  }
  await metadata.audit({
    actor: options.actor ?? ADMIN_ACTOR,
    action: 'token-revoke',
    target: `${record.user} ${id}`,
  });
  return record;
}
