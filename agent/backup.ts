/**
 * One environment backup: resolve the recipe, capture its steps against the parent version (the stat
 * cache), and commit. Used by `vml-agent backup` and by restore's safety version.
 */
import { hostname, userInfo } from 'node:os';
import type { Output } from '../core/events.js';
import type { Reason, Sanitization } from '../logbook/format/manifest.js';
import type { Logbook, VersionRef } from '../logbook/logbook.js';
import type { ResolvedRecipe } from './recipes/load.js';
import { captureFacts, type RecordedStep } from './steps/facts.js';
import { captureFiles } from './steps/files/capture.js';
import { type Accounts, readAccounts } from './steps/files/owners.js';
import { Scope } from './steps/files/scope.js';
import { scopeOf } from './steps/files/scope-of.js';

export interface BackupOptions {
  readonly logbook: Logbook;
  readonly root: string;
  readonly entry: string;
  readonly recipe: ResolvedRecipe;
  readonly reason: Reason;
  readonly message?: string | undefined;
  readonly output: Output;
  readonly signal?: AbortSignal | undefined;
  /** The owner's age recipient, to seal long-lived credentials (agent.yaml `recipient`). */
  readonly recipient?: string | undefined;
  /** Makes a public version of a staged, sanitized copy instead (publish): see PublishSource. */
  readonly publish?: PublishSource | undefined;
}

/**
 * What publish gives a backup of its staged copy: every file under the staged root is kept, the facts are
 * the private version's (already sanitized) instead of a new capture, and nothing is attached (no vault).
 */
export interface PublishSource {
  readonly facts: Readonly<Record<string, RecordedStep>>;
  readonly sanitization: Sanitization;
  /** The private version's root, recorded as the public version's. */
  readonly root: string;
  /** Names for the staged files' owner ids: the accounts of the root the private version came from. */
  readonly accounts: Accounts;
}

/** Makes a version of `entry` from `root`; returns it once its manifest is durable. */
export async function runBackup(o: BackupOptions): Promise<VersionRef> {
  const started = Date.now();
  const accounts = o.publish?.accounts ?? (await readAccounts(o.root));
  const history = await o.logbook.history(o.entry);
  const parent = history[history.length - 1];
  const writer = await o.logbook.beginVersion(o.entry, {
    onStale: (message) => o.output.emit({ type: 'warning', message }),
  });
  try {
    // Fact steps first: the files they keep their own way (credentials sealed in the vault) are left out
    // of the files capture, so they are never stored in plain text.
    const facts = o.publish
      ? {
          steps: o.publish.facts,
          attachments: new Map<string, Uint8Array>(),
          excluded: new Set<string>(),
          substitutes: new Map<string, Uint8Array>(),
        }
      : await captureFacts(o.recipe, {
          root: o.root,
          entry: o.entry,
          accounts,
          output: o.output,
          signal: o.signal,
          scope: scopeOf(o.recipe, accounts, o.entry),
          recipient: o.recipient,
          parent: parent ? { logbook: o.logbook, manifest: parent.manifest } : undefined,
        });
    const files = await captureFiles({
      root: o.root,
      scope: o.publish
        ? new Scope([{ include: ['**'], oneFileSystem: false }], '')
        : scopeOf(o.recipe, accounts, o.entry, facts.excluded),
      logbook: o.logbook,
      writer,
      accounts,
      // A public version never takes a node from the stat cache: every file of it is read from the
      // sanitized staging copy, whatever a private version held under the same path.
      parentTree: o.publish ? undefined : parent?.manifest.tree,
      output: o.output,
      signal: o.signal,
      substitutes: facts.substitutes,
    });
    const attachments =
      facts.attachments.size > 0 ? await writer.addAttachments(facts.attachments) : undefined;
    // An interrupt that came while the trees were written still means: no new version.
    o.signal?.throwIfAborted();
    return await writer.commit({
      parent: parent?.id,
      time: new Date().toISOString(),
      reason: o.reason,
      message: o.message,
      visibility: o.publish ? 'public' : 'private',
      recipe: { name: o.recipe.name, hash: o.recipe.hash },
      host: hostname(),
      user: userInfo().username,
      root: o.publish?.root ?? o.root,
      steps: o.publish
        ? facts.steps
        : {
            ...Object.fromEntries(
              o.recipe.steps
                .filter((s) => s.kind === 'files')
                .map((s) => [s.id, { kind: s.kind, facts: { with: s.with } }]),
            ),
            ...facts.steps,
          },
      tree: files.tree,
      attachments,
      sanitization: o.publish?.sanitization,
      stats: {
        files: files.files,
        dirs: files.dirs,
        bytes: files.bytes,
        filesRead: files.filesRead,
        bytesRead: files.bytesRead,
        seconds: (Date.now() - started) / 1000,
      },
    });
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
