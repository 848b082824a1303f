/**
 * Which local user an OIDC identity is. The identity (issuer + sub) is what the issuer guarantees never to
 * reuse; the username claim (preferred_username) is only a name the user may change. So:
 *
 * 1. An identity linked before signs in as its linked user, whatever its username claim says now.
 * 2. Otherwise the claim names the user. A user already linked to another identity of this issuer is never
 *    taken over (a renamed or recycled preferred_username cannot hijack an account).
 * 3. An existing user not yet linked is linked on this first sign-in; a missing one is created (never an
 *    admin) only with --oidc-create-users, else the page says to ask an administrator.
 */
import { isVmlError } from '../../core/errors.js';
import { checkUserName } from './auth.js';
import type { Metadata, User } from './metadata.js';
import { OidcFailure, type OidcIdentity } from './oidc.js';

export interface OidcUserOptions {
  readonly usernameClaim: string;
  readonly createUsers: boolean;
}

/** The local user `identity` signs in as; throws OidcFailure "bad-name", "no-user" or "taken". */
export async function userForIdentity(
  metadata: Metadata,
  identity: OidcIdentity,
  options: OidcUserOptions,
): Promise<User> {
  const linked = await metadata.findOidcLink(identity.issuer, identity.sub);
  if (linked) {
    const user = await metadata.findUser(linked.user);
    if (user) return user;
  }
  const name = claimedName(identity, options.usernameClaim);
  let user = await metadata.findUser(name);
  if (!user) {
    if (!options.createUsers) {
      throw new OidcFailure(
        'no-user',
        `Cannot sign you in as "${name}": there is no such user on this server`,
        `Ask an administrator to add you: vml logbook user add ${name}`,
      );
    }
    user = await createUser(metadata, name);
  }
  await link(metadata, identity, user.name);
  return user;
}

function claimedName(identity: OidcIdentity, claim: string): string {
  const value = identity.claims[claim];
  if (typeof value !== 'string' || value === '') {
    throw new OidcFailure(
      'bad-name',
      `Cannot sign you in: the sign-in service sent no "${claim}" claim to name your user`,
      'Tell the administrator of this server: the client needs the "profile" scope, or another --oidc-username-claim',
    );
  }
  try {
    return checkUserName(value);
  } catch (error) {
    if (!isVmlError(error)) throw error;
    throw new OidcFailure(
      'bad-name',
      `Cannot sign you in as "${value}": it is not a valid user name here`,
      `${error.hint ?? ''}. Ask an administrator to add a user for you`.replace(/^\. /, ''),
    );
  }
}

async function createUser(metadata: Metadata, name: string): Promise<User> {
  try {
    const user = await metadata.addUser({ name, admin: false });
    await metadata.audit({ actor: name, action: 'user-add', target: `${name} (first OIDC sign-in)` });
    return user;
  } catch (error) {
    // Two first sign-ins at once (two tabs, two servers): the other one created the user.
    const user = isVmlError(error) ? await metadata.findUser(name) : undefined;
    if (!user) throw error;
    return user;
  }
}

async function link(metadata: Metadata, identity: OidcIdentity, user: string): Promise<void> {
  const taken = () =>
    new OidcFailure(
      'taken',
      `Cannot sign you in as "${user}": that user is linked to another account of this sign-in service`,
      'If the name was yours before, ask an administrator; a changed user name at the sign-in service does not move a VML account',
    );
  const existing = await metadata.findOidcLinkOfUser(identity.issuer, user);
  if (existing) {
    if (existing.sub === identity.sub) return;
    throw taken();
  }
  try {
    await metadata.addOidcLink({ issuer: identity.issuer, sub: identity.sub, user });
  } catch (error) {
    // The database's unique keys decide a race between two first sign-ins.
    const now = await metadata.findOidcLinkOfUser(identity.issuer, user);
    if (now?.sub === identity.sub) return;
    if (now) throw taken();
    throw error;
  }
  await metadata.audit({
    actor: user,
    action: 'oidc-link',
    target: `${user} = ${identity.sub} at ${identity.issuer}`,
  });
}
