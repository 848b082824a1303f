/**
 * The step contract, after cloud-init's modules: each kind of thing a recipe captures and restores is one
 * file in agent/steps/ that exports its metadata beside its handlers, so the schema, the documentation
 * examples and the code that uses them cannot drift apart.
 */
import type { z } from 'zod';
import type { Output } from '../../core/events.js';
import type { OpenedIdentity } from '../vault/identity.js';
import type { Accounts } from './files/owners.js';

/** One step kind: `W` is the validated `with` block the handlers receive, `In` what a recipe may write. */
export interface StepKind<W, In = W> {
  /** Stable kebab-case name, written as `kind:` in recipes and recorded in versions. */
  readonly kind: string;
  /** One line, no trailing period; shown in listings and the recipe reference. */
  readonly heading: string;
  /** Validates a step's `with` block; strict, so a typo in a key is an error rather than silently ignored. */
  readonly schema: z.ZodType<W, In>;
  /** `with` blocks as a recipe would write them; tests check that each one validates. */
  readonly examples: readonly In[];
}

/** What a step sees when it captures or restores. */
export interface StepContext<W> {
  /** The root the agent works on (`/` in a guest); read and write only under it. */
  readonly root: string;
  /** The step's validated `with` block. */
  readonly with: W;
  /** `owner/name`; the owner is the part before "/". */
  readonly entry: string;
  /** The owner's home relative to the root (no leading "/"), from the root's own passwd. */
  readonly home: string;
  readonly accounts: Accounts;
  readonly output: Output;
  readonly signal?: AbortSignal | undefined;
}

/** Capture-time extras. */
export interface CaptureContext<W> extends StepContext<W> {
  /**
   * Keeps bytes beside the version's files (a patch, a sealed blob) under `name`, a single path component
   * unique within the step; restore reads them back with `attachment(name)`. For what does not belong in
   * the facts (which live in the manifest and are read by every `log`).
   */
  attach(name: string, bytes: Uint8Array): void;
  /**
   * Keeps the files capture from storing `path` (root-relative), for a file the step keeps its own way
   * (a credential sealed in the vault) and that must never also be stored in plain text. Fact steps run
   * before the files are captured, so every exclusion counts.
   */
  exclude(path: string): void;
  /**
   * Has the files capture store `bytes` as the content of `path` instead of the live file (keeping the live
   * file's mode, owner and times): the redacted copy of a file whose original the step seals, so a public
   * copy or a restore without the identity still gets the file, without its secret.
   */
  substitute(path: string, bytes: Uint8Array): void;
  /** The regular files (root-relative) the recipe's `files` steps keep, before any `exclude`. */
  filesInScope(): Promise<readonly string[]>;
  /**
   * The files in scope that are new or changed since the parent version, by the stat cache's test (size,
   * mtime, ctime, inode): a step that classifies files need not look again at one the parent stored
   * unchanged. All files in scope when there is no parent.
   */
  changedFilesInScope(): Promise<readonly string[]>;
  /** What this step (same id and kind) recorded in the parent version, or undefined. */
  readonly previousFacts: unknown;
  /** The owner's age recipient (`age1…`) from the agent configuration, to seal what must stay private. */
  readonly recipient: string | undefined;
}

/** Restore-time extras. */
export interface RestoreContext<W, F> extends StepContext<W> {
  /** The facts this step recorded in the version being restored. */
  readonly facts: F;
  /** That version as `entry@vN`, for hints that say what to run again. */
  readonly version: string;
  /** Print what would be done, do nothing. */
  readonly dryRun: boolean;
  /** Bytes the step attached at capture, or undefined. */
  attachment(name: string): Promise<Uint8Array | undefined>;
  /**
   * The owner's opened age identity, or undefined when there is none to open (no file, or a dry run). Asks
   * for the passphrase on first use only, so a restore without sealed credentials never prompts. Throws
   * (E_AUTH) for a wrong passphrase.
   */
  identity(): Promise<OpenedIdentity | undefined>;
  /** `restore --fetch-datasets`: download what the datasets step recorded (needs `rucio` on PATH). */
  readonly fetchDatasets?: boolean | undefined;
}

/**
 * One thing a restore could not bring back; it goes into the restore report, and from there into the
 * login warnings. `hint` is the command that brings it back by hand. Never a secret's value.
 */
export interface RestoreProblem {
  readonly step: string;
  /** What kind of thing: credential, package, repository, mount, dataset, release, git, environment. */
  readonly kind: string;
  /** Which one: a package NEVRA, a path relative to the root, a repository name. */
  readonly subject: string;
  readonly message: string;
  readonly hint?: string | undefined;
}

/** What a fact step's restore did. */
export interface RestoreOutcome {
  /** One line per action taken (or, with dryRun, that would be taken). */
  readonly actions: readonly string[];
  readonly problems: readonly RestoreProblem[];
}

/** One difference between two fact sets, as `diff` shows it: `+ name`, `- name`, `M name (detail)`. */
export interface FactChange {
  readonly change: 'added' | 'removed' | 'modified';
  /** What changed, like `package root-6.30.06-1.el9.x86_64` or `variable AtlasVersion`. */
  readonly subject: string;
  readonly detail?: string | undefined;
}

/**
 * A step that records facts (which packages, which release, which variables) instead of, or beside,
 * file contents. The facts are JSON in the version's manifest, so they must be small (an RPM list, not
 * file contents) and must never hold a secret's value.
 */
export interface FactStep<W, F, In = W> extends StepKind<W, In> {
  /**
   * When restore runs it: `before-files` for what the files then overlay (packages, a git clone),
   * `after-files` for what is derived from the restored files (a regenerated `.asetup.save`).
   */
  readonly phase: 'before-files' | 'after-files';
  capture(ctx: CaptureContext<W>): Promise<F>;
  restore(ctx: RestoreContext<W, F>): Promise<RestoreOutcome>;
  /** What differs from `before` to `after`, in a stable order. */
  diff(before: F, after: F): FactChange[];
  /** A few lines for `show`: the release, the number of packages, the repositories. */
  describe(facts: F): string[];
}

/** Whether a step kind records facts (every kind except `files`). */
export function isFactStep(kind: StepKind<unknown>): kind is FactStep<unknown, unknown> {
  return 'capture' in kind && typeof (kind as { capture?: unknown }).capture === 'function';
}
