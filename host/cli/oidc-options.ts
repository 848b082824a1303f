/**
 * The `--oidc-*` options of `vml logbook serve` and their environment equivalents (flags win). The client
 * secret comes only from a file (--oidc-client-secret-file, VML_OIDC_CLIENT_SECRET_FILE), never from the
 * command line or the environment, where `ps` and /proc/PID/environ would show it.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { VmlError } from '../../core/errors.js';
import { checkOidcSettings, type OidcSettings } from '../../logbook/server/oidc.js';

export const DEFAULT_USERNAME_CLAIM = 'preferred_username';
export const DEFAULT_OIDC_LABEL = 'CERN SSO';

/** Adds the OIDC options to a command. */
export function oidcOptions(cmd: Command): Command {
  return cmd
    .option('--oidc-issuer <url>', 'OpenID issuer, turns on OIDC sign-in (VML_OIDC_ISSUER)')
    .option('--oidc-client-id <id>', 'client id registered at the issuer (VML_OIDC_CLIENT_ID)')
    .option(
      '--oidc-client-secret-file <file>',
      'file whose first line is the client secret (VML_OIDC_CLIENT_SECRET_FILE)',
    )
    .option(
      '--oidc-username-claim <claim>',
      `ID-token claim naming the local user (VML_OIDC_USERNAME_CLAIM, default ${DEFAULT_USERNAME_CLAIM})`,
    )
    .option(
      '--oidc-create-users',
      'create a (non-admin) user at its first OIDC sign-in (VML_OIDC_CREATE_USERS=1)',
    )
    .option(
      '--oidc-label <text>',
      `sign-in button: "Sign in with TEXT" (VML_OIDC_LABEL, default ${DEFAULT_OIDC_LABEL})`,
    );
}

/** The OIDC settings from flags and environment; undefined when no issuer is given (OIDC off). */
export async function oidcSettings(
  flags: Record<string, unknown>,
  publicUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OidcSettings | undefined> {
  const value = (flag: string, name: string) => {
    const given = flags[flag];
    return typeof given === 'string' ? given : env[name];
  };
  const issuer = value('oidcIssuer', 'VML_OIDC_ISSUER');
  if (issuer === undefined || issuer === '') return undefined;
  const clientId = value('oidcClientId', 'VML_OIDC_CLIENT_ID');
  const secretFile = value('oidcClientSecretFile', 'VML_OIDC_CLIENT_SECRET_FILE');
  if (clientId === undefined || secretFile === undefined) {
    throw new VmlError('E_USAGE', 'Cannot turn on OIDC sign-in: --oidc-issuer needs a client id and secret', {
      hint: 'Pass --oidc-client-id ID and --oidc-client-secret-file FILE, as registered at the issuer',
    });
  }
  if (publicUrl === undefined) {
    throw new VmlError('E_USAGE', 'Cannot turn on OIDC sign-in without --public-url', {
      hint: 'Pass --public-url https://HOST (how browsers reach this server): the redirect URI is PUBLIC_URL/auth/oidc/callback',
    });
  }
  const createUsers =
    flags.oidcCreateUsers === true || /^(1|true|yes)$/i.test(env.VML_OIDC_CREATE_USERS ?? '');
  return checkOidcSettings({
    issuer,
    clientId,
    clientSecret: await readSecret(secretFile),
    publicUrl,
    usernameClaim: value('oidcUsernameClaim', 'VML_OIDC_USERNAME_CLAIM') ?? DEFAULT_USERNAME_CLAIM,
    createUsers,
    label: value('oidcLabel', 'VML_OIDC_LABEL') ?? DEFAULT_OIDC_LABEL,
  });
}

async function readSecret(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new VmlError('E_USAGE', `Cannot read the OIDC client secret file "${file}": ${reason}`, {
      hint: 'Write the client secret from the issuer on the first line of a file readable by the server only',
      cause: error,
    });
  }
  return (text.split(/\r?\n/)[0] ?? '').trim();
}
