/**
 * Runs the selected sanitizers, in order, over a staged copy of a root. Each sanitizer sees only the files
 * its globs match among those the previous ones left; what it does goes into the findings. Fail closed: a
 * directory that cannot be listed or a file that cannot be read is removed and reported with the reason.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { VmlError } from '../core/errors.js';
import { selectSanitizers } from './registry.js';
import type {
  BackupTree,
  Finding,
  FindingAction,
  FindingDetails,
  RootUser,
  SanitizeReport,
  Sanitizer,
} from './sanitizer.js';
import { DiskTree, walkRegularFiles } from './tree.js';
import { expandHomes, readRootUsers } from './users.js';

export interface RunOptions {
  /** `--sanitizers` list, e.g. 'defaults,-shell-history,aws-credentials'; default 'defaults'. */
  selection?: string;
  dryRun: boolean;
  signal?: AbortSignal;
  /** Called after each sanitizer: how many of the selected ones have run. */
  onProgress?: (done: number, total: number) => void;
}

/** Sanitizes `stagedRoot` in place (unless dryRun) and returns what was found. */
export async function runSanitizers(
  stagedRoot: string,
  options: RunOptions,
): Promise<{ findings: Finding[] }> {
  const sanitizers = selectSanitizers(options.selection ?? 'defaults');
  const findings: Finding[] = [];
  const { files, unlistable } = await walkRegularFiles(stagedRoot);
  for (const { path, reason } of unlistable) {
    // The root itself unlistable means there is nothing to sanitize, and nothing that can be trusted.
    if (path === '') throw new VmlError('E_SANITIZE_FAILED', `Cannot list the staged root "${stagedRoot}"`);
    if (!options.dryRun) await rm(join(stagedRoot, path), { recursive: true, force: true });
    findings.push({ sanitizer: 'pipeline', type: 'unreadable', path, action: 'delete', reason });
  }
  const users = await readRootUsers(stagedRoot);
  const tree = new DiskTree(stagedRoot, files, {
    dryRun: options.dryRun,
    onUnreadable: (path, reason) =>
      findings.push({ sanitizer: 'pipeline', type: 'unreadable', path, action: 'delete', reason }),
  });
  await runOnTree(tree, sanitizers, {
    users,
    dryRun: options.dryRun,
    mode: 'publish',
    findings,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { findings };
}

export interface TreeRun {
  readonly users: readonly RootUser[];
  readonly dryRun: boolean;
  readonly mode: 'publish' | 'inventory';
  /** Findings are appended here. */
  readonly findings: Finding[];
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Runs `sanitizers` in order over `tree`; shared by publish (runSanitizers) and private backups. */
export async function runOnTree(
  tree: BackupTree,
  sanitizers: readonly Sanitizer[],
  run: TreeRun,
): Promise<void> {
  const signal = run.signal ?? new AbortController().signal;
  let done = 0;
  for (const sanitizer of sanitizers) {
    if (signal.aborted) throw new VmlError('E_INTERRUPTED', 'Sanitizing was interrupted');
    const matches = globsToRegExp(expandHomes(sanitizer.paths, run.users));
    const files = tree.files().filter((path) => matches.test(path));
    if (files.length > 0) {
      const before = run.findings.length;
      await sanitizer.sanitize({
        files,
        tree,
        report: reportFor(sanitizer.name, run.findings),
        users: run.users,
        dryRun: run.dryRun,
        signal,
        mode: run.mode,
      });
      // Scanners work on several files at once: sort their findings so every run reports the same list.
      const added = run.findings
        .splice(before)
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      run.findings.push(...added);
    }
    run.onProgress?.(++done, sanitizers.length);
  }
}

/** One regular expression for a list of globs: much cheaper per path than a picomatch matcher per glob. */
export function globsToRegExp(globs: readonly string[]): RegExp {
  return new RegExp(globs.map((g) => `(?:${picomatch.makeRe(g, { dot: true }).source})`).join('|'));
}

function reportFor(sanitizer: string, findings: Finding[]): SanitizeReport {
  const add = (action: FindingAction) => (path: string, details: FindingDetails) => {
    findings.push({ sanitizer, path, action, ...details });
  };
  return {
    removed: add('delete'),
    strippedLines: add('strip-line'),
    redacted: add('redact'),
    recorded: add('record'),
  };
}
