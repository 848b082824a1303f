/**
 * The API token of the `http:` backend, never from the command line or the location: `--token-file FILE`,
 * else VML_TOKEN, else the file VML_TOKEN_FILE names (what a systemd unit should use). A token file must be
 * private to its owner (like ssh's private keys): one readable by the group or others is refused, since
 * anyone who can read it can act as its user on the server.
 */
import { readFileSync, statSync } from 'node:fs';
import { VmlError } from '../../core/errors.js';

/** Where readToken looks. */
export interface TokenSources {
  /** `--token-file`: wins over the environment. */
  readonly tokenFile?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The token, or undefined when none is given (requests then go without one, and a server that needs one
 * answers 401: http.ts explains). Throws VmlError E_AUTH when a token file cannot be read or is not private.
 */
export function readToken(sources: TokenSources = {}): string | undefined {
  const env = sources.env ?? process.env;
  if (sources.tokenFile !== undefined) return readTokenFile(sources.tokenFile, '--token-file');
  const direct = env.VML_TOKEN?.trim();
  if (direct) return direct;
  if (env.VML_TOKEN_FILE) return readTokenFile(env.VML_TOKEN_FILE, 'VML_TOKEN_FILE');
  return undefined;
}

/** The first line of `file`, which must be a regular file with no permission for group or others. */
function readTokenFile(file: string, source: string): string {
  let token: string | undefined;
  try {
    const info = statSync(file);
    if (!info.isFile()) throw Object.assign(new Error('it is not a regular file'), { code: 'ENOTFILE' });
    if ((info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new VmlError(
        'E_AUTH',
        `Refusing the token file "${file}" (${source}): its mode is ${mode}, so others can read the token`,
        { hint: `Make it private to its owner: chmod 600 "${file}" (and consider revoking the token)` },
      );
    }
    token = readFileSync(file, 'utf8').split('\n')[0]?.trim();
  } catch (error) {
    if (error instanceof VmlError) throw error;
    throw new VmlError(
      'E_AUTH',
      `Cannot read the token file "${file}" (${source}): ${(error as Error).message}`,
      {
        hint: `${source} must name a readable file (mode 0600) holding the token from "vml logbook token create"`,
        cause: error,
      },
    );
  }
  if (!token) {
    throw new VmlError('E_AUTH', `The token file "${file}" (${source}) is empty`, {
      hint: 'Write the token from "vml logbook token create" on its first line',
    });
  }
  return token;
}
