/** Who is calling: the bearer token of a request, checked against the metadata store on every request. */
import type { ApiErrorCode, TokenScope } from './api-types.js';
import { tokenId, tokenMatches } from './auth.js';
import type { Metadata } from './metadata.js';

/** An authenticated caller: a user acting through one token. */
export interface Caller {
  readonly user: string;
  readonly tokenId: string;
  readonly scope: TokenScope;
}

/** An expected failure with its API code; the error handler sends it as `{code, error}`. */
export class ApiFailure extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
  }
}

/**
 * Checks `Authorization: Bearer vml_…`. Every failure gives the same answer, so a caller cannot tell an
 * unknown token from a revoked one. Looked up on every request: a revocation takes effect at once, also
 * when another process (`vml logbook token revoke`) made it.
 */
export async function authenticate(metadata: Metadata, header: string | undefined): Promise<Caller> {
  const denied = new ApiFailure(
    'UNAUTHENTICATED',
    'The request has no valid token: send "Authorization: Bearer <token>"',
  );
  const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
  const id = token === undefined ? undefined : tokenId(token);
  if (token === undefined || id === undefined) throw denied;
  const record = await metadata.findToken(id);
  if (!record || record.revoked !== undefined || !tokenMatches(token, record.hash)) throw denied;
  return { user: record.user, tokenId: record.id, scope: record.scope };
}
