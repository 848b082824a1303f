/**
 * Everything a command tells the user is one of these events. `--json` prints them as lines; the human
 * printer has one formatter per type (core/output/human.ts), so a new type without a formatter does not compile.
 */

/** Progress of long work; printed as a status line on a terminal, as occasional plain lines otherwise. */
export interface ProgressEvent {
  readonly type: 'progress';
  readonly phase: string;
  readonly files: number;
  readonly bytes: number;
  readonly totalFiles?: number | undefined;
  readonly totalBytes?: number | undefined;
}

export interface WarningEvent {
  readonly type: 'warning';
  readonly message: string;
  readonly path?: string | undefined;
}

export interface InfoEvent {
  readonly type: 'info';
  readonly message: string;
}

export interface VersionLine {
  readonly type: 'version';
  readonly entry: string;
  readonly seq: number;
  readonly id: string;
  readonly time: string;
  readonly reason: string;
  readonly visibility: string;
  readonly message?: string | undefined;
  readonly files: number;
  readonly bytes: number;
  readonly bytesAdded: number;
}

export interface BackupSummary {
  readonly type: 'backup-summary';
  readonly entry: string;
  readonly seq: number;
  readonly id: string;
  readonly recipe: string;
  readonly files: number;
  readonly dirs: number;
  readonly bytes: number;
  readonly filesRead: number;
  readonly bytesRead: number;
  readonly bytesAdded: number;
  readonly seconds: number;
  readonly warnings: number;
}

export interface ShowEvent {
  readonly type: 'show';
  readonly version: string;
  readonly id: string;
  readonly manifest: unknown;
  /** What each fact step recorded, in a few lines per step id. */
  readonly facts?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Public versions: where they came from and what the sanitizers removed, one line each. */
  readonly sanitization?: readonly string[] | undefined;
}

export type Change = 'added' | 'removed' | 'modified' | 'metadata' | 'type';

export interface DiffItem {
  readonly type: 'diff-item';
  readonly change: Change;
  readonly path: string;
  readonly kind: string;
  readonly size?: number | undefined;
  readonly oldSize?: number | undefined;
  /** For metadata changes: which fields differ (mode, owner, mtime, xattrs, target). */
  readonly fields?: readonly string[] | undefined;
}

/** A difference in what a fact step recorded (packages, release, variables), not in a file. */
export interface DiffFact {
  readonly type: 'diff-fact';
  readonly step: string;
  readonly change: 'added' | 'removed' | 'modified';
  readonly subject: string;
  readonly detail?: string | undefined;
}

/** What a fact step's restore did, or with --dry-run would do. */
export interface StepAction {
  readonly type: 'step-action';
  readonly step: string;
  readonly action: string;
  readonly dryRun: boolean;
}

export interface DiffSummary {
  readonly type: 'diff-summary';
  readonly from: string;
  readonly to: string;
  readonly added: number;
  readonly removed: number;
  readonly modified: number;
  readonly metadata: number;
  readonly bytesAdded: number;
  readonly bytesRemoved: number;
}

export interface RestoreAction {
  readonly type: 'restore-action';
  readonly action: 'create' | 'overwrite' | 'metadata' | 'remove';
  readonly path: string;
  readonly kind: string;
  readonly size?: number | undefined;
}

export interface RestoreSummary {
  readonly type: 'restore-summary';
  readonly version: string;
  readonly dryRun: boolean;
  readonly created: number;
  readonly overwritten: number;
  readonly metadata: number;
  readonly removed: number;
  readonly bytesWritten: number;
  /** The version holding what the restore overwrote, if one was taken. */
  readonly safety?: string | undefined;
  readonly warnings: number;
}

export interface DeleteSummary {
  readonly type: 'delete-summary';
  readonly dryRun: boolean;
  readonly versions: readonly string[];
}

export interface CheckProblemEvent {
  readonly type: 'check-problem';
  readonly severity: 'error' | 'warning' | 'info';
  readonly kind: string;
  readonly name: string;
  readonly message: string;
  readonly affects: readonly { readonly version: string; readonly path: string }[];
}

export interface CheckSummary {
  readonly type: 'check-summary';
  readonly versions: number;
  readonly packs: number;
  readonly blobs: number;
  readonly bytesRead: number;
  readonly errors: number;
  readonly warnings: number;
}

export interface GcSummary {
  readonly type: 'gc-summary';
  readonly dryRun: boolean;
  readonly packsDeleted: number;
  readonly packsRepacked: number;
  readonly bytesFreed: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

export interface InitSummary {
  readonly type: 'init-summary';
  readonly logbook: string;
  readonly created: boolean;
  readonly config?: string | undefined;
  /** The owner's identity file (a path, never its content) and its public recipient. */
  readonly identity?: string | undefined;
  readonly recipient?: string | undefined;
  readonly identityCreated?: boolean | undefined;
}

/** What a CernVM-FS preload of one repository holds and cost (the preloader returns it, the event carries it). */
export interface PreloadCounts {
  readonly revision: number;
  readonly rootCatalog: string;
  readonly into: string;
  readonly files: number;
  readonly dirs: number;
  readonly symlinks: number;
  /** Bytes of all files of the subtrees. */
  readonly bytes: number;
  /** Files downloaded (or, under --dry-run, to download) and their size. */
  readonly filesWritten: number;
  readonly bytesWritten: number;
  readonly filesUnchanged: number;
  /** Files copied from a local file with the same content instead of downloaded. */
  readonly filesCopied: number;
  readonly removed: number;
  readonly catalogs: number;
  readonly objectsFetched: number;
  readonly requests: number;
  readonly bytesFetched: number;
  /** With --alien-cache: the cache, and the objects (and their inflated bytes) this run put there. */
  readonly alienCache?: string | undefined;
  readonly alienObjects?: number | undefined;
  readonly alienBytes?: number | undefined;
}

/** One repository of `vml-agent software preload`: what the plain tree now holds and what it cost. */
export interface SoftwarePreloadSummary extends PreloadCounts {
  readonly type: 'software-preload';
  readonly repository: string;
  readonly paths: readonly string[];
  readonly dryRun: boolean;
  readonly seconds: number;
}

/** One repository of `vml-agent software list`: its configuration and what a probe found. */
export interface SoftwareRepository {
  readonly type: 'software-repository';
  readonly repository: string;
  readonly servers: readonly string[];
  readonly ok: boolean;
  readonly revision?: number | undefined;
  readonly published?: string | undefined;
  readonly rootCatalog?: string | undefined;
  /** Why the probe failed. */
  readonly message?: string | undefined;
}

/** One sanitizer, as `publish --list-sanitizers` lists it. */
export interface PublishSanitizer {
  readonly type: 'publish-sanitizer';
  readonly name: string;
  readonly heading: string;
  readonly enabledByDefault: boolean;
  /** Whether the --sanitizers selection given (default "defaults") runs it. */
  readonly selected: boolean;
}

/** One thing publish removed or changed (or, with --dry-run, would): where and what kind, never the value. */
export interface PublishFinding {
  readonly type: 'publish-finding';
  readonly sanitizer: string;
  /** What was found: grid-user-key, voms-proxy, url-password, … */
  readonly kind: string;
  readonly path: string;
  readonly action: 'delete' | 'strip-line' | 'redact' | 'record';
  readonly credential?: 'session' | 'long-lived' | undefined;
  readonly count?: number | undefined;
  readonly reason?: string | undefined;
  readonly restoreHint?: string | undefined;
}

export interface PublishSummary {
  readonly type: 'publish-summary';
  readonly dryRun: boolean;
  /** The private version published (`entry@vN`). */
  readonly from: string;
  /** The new public version (`entry@vN`) and its id; absent with --dry-run. */
  readonly version?: string | undefined;
  readonly id?: string | undefined;
  readonly findings: number;
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** `vml-agent software enable|disable`: the edit of the client configuration (default.local). */
export interface SoftwareConfigChange {
  readonly type: 'software-config';
  /** The file, relative to the root. */
  readonly file: string;
  readonly dryRun: boolean;
  readonly changed: boolean;
  readonly enabled: readonly string[];
  readonly disabled: readonly string[];
  /** CVMFS_REPOSITORIES after the edit. */
  readonly repositories: readonly string[];
  /** Unified diff hunks of the edit. */
  readonly diff: readonly string[];
}

/** An automatic backup (--reason shutdown or timer) that a skip rule stopped (docs/appliance.md). */
export interface BackupSkipped {
  readonly type: 'backup-skipped';
  readonly reason: string;
  /** no-logbook, no-entry, disabled-flag, disabled-config, reboot or recent. */
  readonly rule: string;
  readonly message: string;
}

/** One login warning: something a restore could not bring back, or a live check that failed. */
export interface LoginWarning {
  readonly type: 'login-warning';
  /** restore (from the restore report), proxy, kerberos, mounts, cvmfs or shutdown. */
  readonly check: string;
  /** What it is about: a path relative to the root, a mount point, a repository, an entry. */
  readonly subject?: string | undefined;
  readonly message: string;
  /** The command that fixes it, like `voms-proxy-init -voms atlas`. */
  readonly hint?: string | undefined;
}

/** `vml-agent login-warnings --write` wrote the file the login shells print. */
export interface LoginWarningsWritten {
  readonly type: 'login-warnings-written';
  readonly path: string;
  readonly count: number;
}

/** `vml logbook serve` is listening (the real port when --listen asked for port 0). */
export interface ServerListening {
  readonly type: 'server-listening';
  readonly url: string;
  readonly data: string;
  /** The OIDC issuer users sign in at, when --oidc-issuer is on. */
  readonly oidc?: string | undefined;
  /** The metadata database: a path or a PostgreSQL URL without password. */
  readonly database?: string;
  /** Where logbook files go when not under `data`: an s3:// location (never with credentials). */
  readonly storage?: string;
  /** With --tls-cert: when the server's certificate expires (ISO 8601). */
  readonly certificateExpires?: string;
}

/** A user of the logbook server, added or listed. */
export interface ServerUser {
  readonly type: 'server-user';
  readonly name: string;
  readonly admin: boolean;
  /** Whether the user has a password (web sign-in); tokens work either way. */
  readonly password: boolean;
  readonly created: string;
  /** Bytes the user's namespace may store; null for no limit (`user list`, `user quota`). */
  readonly quota?: number | null;
  /** Bytes the user's namespace stores now (`user list`, `user quota`). */
  readonly used?: number;
  /** `user quota --dry-run`: the quota shown is the one that would be set. */
  readonly dryRun?: boolean;
}

/** A token of the logbook server, created or listed. */
export interface ServerToken {
  readonly type: 'server-token';
  readonly id: string;
  readonly user: string;
  readonly label: string;
  /** "GLOB:ACCESS", e.g. "alice/*:append". */
  readonly scope: string;
  readonly created: string;
  readonly revoked?: string | undefined;
  /**
   * The secret, only in the one event `token create` prints (and not with --output): this is the only place
   * a secret appears in an event, because printing it once is the command's purpose.
   */
  readonly token?: string | undefined;
  /** Where `token create --output` wrote the secret instead. */
  readonly savedTo?: string | undefined;
  readonly dryRun?: boolean | undefined;
}

/** A version published to or unpublished from the server's public namespace (`vml logbook unpublish`). */
export interface ServerPublic {
  readonly type: 'server-public';
  readonly action: 'publish' | 'unpublish';
  /** `entry@vN`. */
  readonly version: string;
  readonly id: string;
  readonly dryRun?: boolean | undefined;
}

export interface ExitError {
  readonly type: 'exit_error';
  readonly code: number;
  readonly error: string;
  readonly message: string;
  readonly hint?: string | undefined;
}

export type Event =
  | ProgressEvent
  | WarningEvent
  | InfoEvent
  | VersionLine
  | BackupSummary
  | ShowEvent
  | DiffItem
  | DiffFact
  | StepAction
  | DiffSummary
  | RestoreAction
  | RestoreSummary
  | DeleteSummary
  | CheckProblemEvent
  | CheckSummary
  | GcSummary
  | InitSummary
  | SoftwarePreloadSummary
  | SoftwareRepository
  | PublishSanitizer
  | PublishFinding
  | PublishSummary
  | SoftwareConfigChange
  | BackupSkipped
  | LoginWarning
  | LoginWarningsWritten
  | ServerListening
  | ServerUser
  | ServerToken
  | ServerPublic
  | ExitError;

/** Where commands send events; commands never call console.* themselves. */
export interface Output {
  emit(event: Event): void;
  /** Debug lines, shown only with --verbose or VML_DEBUG=1. */
  debug(text: string): void;
  /** Warnings emitted so far (for exit code 3). */
  readonly warnings: number;
}
