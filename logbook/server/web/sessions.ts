/**
 * Web sessions: a random id in an HttpOnly, SameSite=Lax cookie; the server keeps only its SHA-256, in a
 * SessionStore shared by every server behind a load balancer (the metadata database). The CSRF token of a
 * session is derived from its id, so it needs no storage and dies with the session.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What the server stores about a session: never the id itself. */
export interface SessionRecord {
  /** SHA-256 hex of the cookie's id. */
  readonly hash: string;
  readonly user: string;
  readonly created: string;
  /** ISO time after which the session is refused and may be deleted. */
  readonly expires: string;
}

/** Where sessions live. Metadata implements it, so every server sharing a database shares sessions. */
export interface SessionStore {
  addSession(session: SessionRecord): Promise<void>;
  /** The session with this hash, expired or not (the caller checks `expires`). */
  findSession(hash: string): Promise<SessionRecord | undefined>;
  /** Deletes one session; no error if it is gone already. */
  deleteSession(hash: string): Promise<void>;
  /** Deletes sessions that expired before `now` (ISO time). */
  deleteExpiredSessions(now: string): Promise<void>;
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'vml_session';
/** A session lasts this long from sign-in, then the user signs in again. */
export const SESSION_HOURS = 12;

/** A new session id (256 random bits) for the cookie, and the record to store. */
export function newSession(user: string, now = new Date()): { id: string; record: SessionRecord } {
  const id = randomBytes(32).toString('base64url');
  const expires = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  return {
    id,
    record: { hash: hashSessionId(id), user, created: now.toISOString(), expires: expires.toISOString() },
  };
}

/** SHA-256 hex; like API tokens, a random 256-bit id needs no slow hash. */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(`vml-session\0${id}`).digest('hex');
}

/** The CSRF token of a session: another hash of the id, so neither the stored hash nor the token reveals the id. */
export function csrfToken(sessionId: string): string {
  return createHash('sha256').update(`vml-csrf\0${sessionId}`).digest('base64url');
}

/** Constant-time comparison of two tokens. */
export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Looks up a live session by the id from the cookie. */
export async function findLiveSession(
  store: SessionStore,
  id: string | undefined,
  now = new Date(),
): Promise<SessionRecord | undefined> {
  if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  const record = await store.findSession(hashSessionId(id));
  return record && record.expires > now.toISOString() ? record : undefined;
}
