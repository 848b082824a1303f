/**
 * What the server keeps besides logbook files: users, tokens and the audit log. The server sees only this
 * interface; metadata-sql.ts implements it once for SQLite (the embedded default) and PostgreSQL (several
 * stateless servers sharing one database).
 */
import type { TokenScope } from './api-types.js';
import type { JobStore } from './jobs.js';
import type { SessionStore } from './web/sessions.js';
import type { SignInStore } from './web/sign-in-limit.js';

export interface User {
  readonly name: string;
  readonly admin: boolean;
  /** scrypt hash in the format of auth.ts `hashPassword`; absent for token-only accounts. */
  readonly passwordHash?: string | undefined;
  readonly created: string;
  /** Most bytes the user's namespace may store; undefined for no limit (docs/server.md, "Quotas"). */
  readonly quota?: number | undefined;
}

export interface TokenRecord {
  /** Public id, the first part of the token; used to list and revoke it. */
  readonly id: string;
  readonly user: string;
  /** A label to tell tokens apart ("shutdown backup of vm3"). */
  readonly label: string;
  readonly scope: TokenScope;
  /** SHA-256 hex of the whole token: the token itself is never stored. */
  readonly hash: string;
  readonly created: string;
  /** Set once revoked; a revoked token authenticates nothing. */
  readonly revoked?: string | undefined;
}

/** One line of the audit log: who deleted or published what, and who administered users and tokens. */
export interface AuditRecord {
  readonly time: string;
  /** The user who acted; "admin" for the host's administration commands. */
  readonly actor: string;
  readonly action:
    | 'delete-version'
    | 'delete-file'
    | 'publish'
    | 'unpublish'
    | 'user-add'
    | 'user-admin'
    | 'user-unadmin'
    | 'user-quota'
    | 'token-create'
    | 'token-revoke'
    | 'oidc-link';
  /** What was acted on: "alice/higgs@v3 (3f2a9c1e…)", "data/3f2a…", a user or token id. */
  readonly target: string;
  readonly token?: string | undefined;
}

/** A version copied into the public namespace (its id is the same in the owner's namespace). */
export interface PublishedRecord {
  readonly id: string;
  /** `owner/name` and the version number. */
  readonly entry: string;
  readonly seq: number;
  /** Who published it: the owner saving it, or "admin" / a user re-publishing it. */
  readonly publisher: string;
  readonly time: string;
}

/**
 * An OIDC identity linked to a local user. `issuer` + `sub` is what an issuer promises never to reassign
 * (unlike preferred_username): a user has at most one identity per issuer, an identity one user.
 */
export interface OidcLink {
  readonly issuer: string;
  readonly sub: string;
  readonly user: string;
  readonly created: string;
}

/** Users, tokens and audit log. Implementations must allow another process to change them concurrently. */
export interface Metadata extends SessionStore, JobStore, SignInStore {
  /** Adds a user; throws VmlError E_USAGE if the name is taken. */
  addUser(user: Omit<User, 'created'>): Promise<User>;
  findUser(name: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** Makes a user an admin or not; false if there is no such user. */
  setAdmin(name: string, admin: boolean): Promise<boolean>;
  /** Sets (a number of bytes) or lifts (null) a user's quota; false if there is no such user. */
  setQuota(name: string, bytes: number | null): Promise<boolean>;
  addToken(token: Omit<TokenRecord, 'created'>): Promise<TokenRecord>;
  /** The token with this id, revoked or not. */
  findToken(id: string): Promise<TokenRecord | undefined>;
  /** Every token, or one user's; newest last. */
  listTokens(user?: string): Promise<TokenRecord[]>;
  /** Marks a token revoked; false if there is no such token or it was revoked already. */
  revokeToken(id: string): Promise<boolean>;
  audit(record: Omit<AuditRecord, 'time'>): Promise<void>;
  /** The audit log, oldest first. */
  listAudit(): Promise<AuditRecord[]>;
  /** Records (or, published again, updates) a version copied into the public namespace. */
  addPublished(record: Omit<PublishedRecord, 'time'>): Promise<PublishedRecord>;
  /** Forgets an unpublished version; false if it was not recorded. */
  removePublished(id: string): Promise<boolean>;
  /** The published versions, by entry and version number. */
  listPublished(): Promise<PublishedRecord[]>;
  /** Links an identity to a user; throws VmlError E_USAGE if either is linked already (for that issuer). */
  addOidcLink(link: Omit<OidcLink, 'created'>): Promise<OidcLink>;
  /** The link of an identity, if any. */
  findOidcLink(issuer: string, sub: string): Promise<OidcLink | undefined>;
  /** The identity at `issuer` linked to `user`, if any. */
  findOidcLinkOfUser(issuer: string, user: string): Promise<OidcLink | undefined>;
  close(): Promise<void>;
}
