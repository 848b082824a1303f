/**
 * The sanitizer contract, after virt-sysprep's operations and gitleaks' rules (STYLE.md §2.2): each kind of
 * credential or private setting is one file that exports its metadata, the files it looks at, and samples of
 * what it must remove and what it must keep, which the test suite runs.
 */

export type FindingAction = 'delete' | 'strip-line' | 'redact' | 'record';

/** One thing a sanitizer did (or, in a dry run, would do). Never carries a secret's value. */
export interface Finding {
  /** Sanitizer name. */
  readonly sanitizer: string;
  /** What was found, e.g. 'grid-user-key', 'voms-proxy', 'kerberos-ccache', 'ssh-private-key'. */
  readonly type: string;
  /** Relative to the staged root. */
  readonly path: string;
  readonly action: FindingAction;
  /** How the owner brings it back by hand, e.g. 'voms-proxy-init -voms atlas', 'kinit alice@CERN.CH'. */
  readonly restoreHint?: string;
  /** Set when the finding is a credential: session ones are never stored; long-lived ones may go to a private vault. */
  readonly credential?: 'session' | 'long-lived';
  /** Lines stripped / values redacted. */
  readonly count?: number;
  /** For files kept out because unreadable/unclassifiable (fail closed). */
  readonly reason?: string;
}

/** A file a sanitizer is tested on: `path` relative to the root, `content` its bytes. */
export interface Sample {
  readonly path: string;
  readonly content: string | Uint8Array;
  /**
   * Dirty samples only: strings that must be gone from the whole root afterwards. Defaults to the whole
   * content (the file must be deleted).
   */
  readonly secrets?: readonly string[];
  /** Other files the sample needs beside it (a passwd for a user's home, a credentials file a mount names). */
  readonly context?: Readonly<Record<string, string>>;
}

/** What a sanitizer reports; the pipeline adds the sanitizer's name. */
export type FindingDetails = Omit<Finding, 'sanitizer' | 'path' | 'action'>;

/** Collects findings. Never pass a secret's value: only where, what kind, and how many. */
export interface SanitizeReport {
  removed(path: string, details: FindingDetails): void;
  strippedLines(path: string, details: FindingDetails): void;
  redacted(path: string, details: FindingDetails): void;
  /** Something that is not a file (AFS tokens, a kernel keyring) or is left in place but worth telling. */
  recorded(path: string, details: FindingDetails): void;
}

/**
 * The staged copy being sanitized. Paths are relative to its root; nothing follows a symbolic link, and
 * nothing reaches outside the root. In a dry run, writes and removals are remembered, not done, so later
 * sanitizers see what the real run would leave.
 */
export interface BackupTree {
  /** Regular files currently in the tree, sorted. */
  files(): readonly string[];
  exists(path: string): boolean;
  /** Size in bytes of a regular file of the tree; undefined as for read. */
  size(path: string): Promise<number | undefined>;
  /**
   * The file's bytes, or undefined when it cannot be read: the tree has then removed it and reported why
   * (fail closed), and the sanitizer simply goes on with the next file.
   */
  read(path: string): Promise<Buffer | undefined>;
  /** At most `length` bytes from the start; undefined as for read. */
  head(path: string, length: number): Promise<Buffer | undefined>;
  /** At most `length` bytes from `offset`, for files too large to read whole; undefined as for read. */
  slice(path: string, offset: number, length: number): Promise<Buffer | undefined>;
  /** Replaces a file's content, keeping its mode, owner and times. */
  write(path: string, content: string | Uint8Array): Promise<void>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
}

/** A user of the root, from its own etc/passwd (plus home/* and root, which LDAP users may not be listed in). */
export interface RootUser {
  readonly name: string;
  readonly uid: number | undefined;
  /** Home relative to the root, without slashes at either end; '' for a home of "/". */
  readonly home: string;
}

/** What a sanitizer sees. */
export interface SanitizeContext {
  /** Files of the tree that match the sanitizer's `paths`, sorted. */
  readonly files: readonly string[];
  readonly tree: BackupTree;
  readonly report: SanitizeReport;
  readonly users: readonly RootUser[];
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
  /**
   * 'publish' sanitizes everything; 'inventory' (private backups, at every backup) only finds credentials
   * and must be cheap: content scanners look only at small files (see credentials.ts).
   */
  readonly mode: 'publish' | 'inventory';
}

export interface Sanitizer {
  /** Stable kebab-case id, used in --sanitizers and in reports. */
  readonly name: string;
  /** One line, no trailing period. */
  readonly heading: string;
  readonly enabledByDefault: boolean;
  /** Lower runs first; ties are broken by name. Content scanners run last (900+), after the known places. */
  readonly order?: number;
  /**
   * Globs relative to the backup root (picomatch, dot files included); `~/` stands for the home of every
   * user of the root. The pipeline passes only matching files.
   */
  readonly paths: readonly string[];
  /** True when it finds credentials, so private backups run it too (findCredentials). */
  readonly credentials?: boolean;
  /** Known shortcomings, for the reference documentation. */
  readonly notes?: string;
  /** Planted fake secrets it must remove, and look-alikes it must keep. */
  readonly examples: { readonly dirty: readonly Sample[]; readonly clean: readonly Sample[] };
  sanitize(ctx: SanitizeContext): Promise<void>;
}

/** Identity function that gives a sanitizer literal its type (and a place for defaults later). */
export function defineSanitizer(sanitizer: Sanitizer): Sanitizer {
  return sanitizer;
}

/** Deletes every file it is given, reporting each with the same details: for known credential files. */
export async function removeAll(ctx: SanitizeContext, details: (path: string) => FindingDetails | undefined) {
  for (const path of ctx.files) {
    const d = details(path);
    if (d === undefined) continue;
    await ctx.tree.remove(path);
    ctx.report.removed(path, d);
  }
}
