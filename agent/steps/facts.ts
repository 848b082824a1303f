/**
 * Runs a recipe's fact steps (every kind except `files`): capture into the manifest's `steps`, restore
 * in their phase, compare for `diff`, describe for `show`. The files step has its own machinery
 * (files/capture.ts, restore/); this is everything else, driven by the FactStep contract of step.ts.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Output } from '../../core/events.js';
import { flattenVersion } from '../../logbook/flat-tree.js';
import type { Manifest } from '../../logbook/format/manifest.js';
import type { Logbook } from '../../logbook/logbook.js';
import type { ResolvedRecipe } from '../recipes/load.js';
import type { OpenedIdentity } from '../vault/identity.js';
import { listFilesInScope } from './files/list.js';
import type { Accounts } from './files/owners.js';
import { homeOf } from './files/owners.js';
import type { Scope } from './files/scope.js';
import { stepKind } from './registry.js';
import {
  type FactChange,
  type FactStep,
  isFactStep,
  type RestoreOutcome,
  type RestoreProblem,
  type StepContext,
} from './step.js';

/** What a step recorded in a manifest: its kind, its `with` block and its facts. */
export interface RecordedStep {
  readonly kind: string;
  readonly with?: unknown;
  readonly facts: unknown;
}

export interface FactRun {
  readonly root: string;
  readonly entry: string;
  readonly accounts: Accounts;
  readonly output: Output;
  readonly signal?: AbortSignal | undefined;
}

/** What a capture needs beyond the run: the files scope, the owner's recipient, the parent version. */
export interface FactCapture extends FactRun {
  readonly scope: Scope;
  readonly recipient: string | undefined;
  readonly parent?: { readonly logbook: Logbook; readonly manifest: Manifest } | undefined;
}

/** What a restore needs beyond the run. */
export interface FactRestore extends FactRun {
  readonly dryRun: boolean;
  /** `restore --fetch-datasets` (see RestoreContext.fetchDatasets). */
  readonly fetchDatasets?: boolean | undefined;
  /** Opens the owner's identity (see RestoreContext.identity); absent: there is none. */
  readonly identity?: (() => Promise<OpenedIdentity | undefined>) | undefined;
}

/**
 * Facts of every fact step of `recipe`, by step id, the attachments they made (by attachment name), the
 * paths they asked the files capture to leave out, and the contents it must store instead of live files.
 */
export async function captureFacts(
  recipe: ResolvedRecipe,
  run: FactCapture,
): Promise<{
  steps: Record<string, RecordedStep>;
  attachments: Map<string, Uint8Array>;
  excluded: Set<string>;
  substitutes: Map<string, Uint8Array>;
}> {
  const steps: Record<string, RecordedStep> = {};
  const attachments = new Map<string, Uint8Array>();
  const excluded = new Set<string>();
  const substitutes = new Map<string, Uint8Array>();
  let files: Promise<readonly string[]> | undefined;
  let changed: Promise<readonly string[]> | undefined;
  const filesInScope = () => {
    files ??= Promise.resolve().then(() => listFilesInScope(run.root, run.scope, run.signal));
    return files;
  };
  for (const step of recipe.steps) {
    const kind = stepKind(step.kind);
    if (kind === undefined || !isFactStep(kind)) continue;
    run.signal?.throwIfAborted();
    const facts = await kind.capture({
      ...context(run, step.with),
      attach: (name, bytes) => attachments.set(attachmentName(step.id, name), bytes),
      exclude: (path) => excluded.add(path),
      substitute: (path, bytes) => substitutes.set(path, bytes),
      filesInScope,
      changedFilesInScope: () => {
        changed ??= filesInScope().then((all) => changedSince(run, all));
        return changed;
      },
      previousFacts: previousFacts(run.parent?.manifest, step.id, step.kind),
      recipient: run.recipient,
    });
    steps[step.id] = { kind: step.kind, with: step.with, facts };
  }
  return { steps, attachments, excluded, substitutes };
}

/** The files of `all` whose metadata differs from the parent version's tree (all of them without a parent). */
async function changedSince(run: FactCapture, all: readonly string[]): Promise<string[]> {
  if (!run.parent) return [...all];
  const before = await flattenVersion(run.parent.logbook, run.parent.manifest.tree);
  const out: string[] = [];
  for (const path of all) {
    const node = before.get(path);
    const now = lstatSync(join(run.root, path), { bigint: true, throwIfNoEntry: false });
    const same =
      node?.type === 'file' &&
      now !== undefined &&
      node.size === Number(now.size) &&
      node.mtime === now.mtimeNs.toString() &&
      node.ctime === now.ctimeNs.toString() &&
      node.inode === now.ino.toString();
    if (!same) out.push(path);
  }
  return out;
}

function previousFacts(parent: Manifest | undefined, id: string, kind: string): unknown {
  const recorded = parent?.steps?.[id];
  return recorded?.kind === kind ? recorded.facts : undefined;
}

/** Restores the fact steps of `manifest` that run in `phase`, in recipe order; never throws for one step. */
export async function restoreFacts(
  phase: FactStep<unknown, unknown>['phase'],
  manifest: Manifest,
  logbook: Logbook,
  run: FactRestore,
): Promise<{ actions: { step: string; action: string }[]; problems: RestoreProblem[] }> {
  const actions: { step: string; action: string }[] = [];
  const problems: RestoreProblem[] = [];
  for (const [id, recorded] of factStepsOf(manifest)) {
    if (recorded.step.phase !== phase) continue;
    run.signal?.throwIfAborted();
    let outcome: RestoreOutcome;
    try {
      outcome = await recorded.step.restore({
        ...context(run, recorded.with),
        facts: recorded.facts,
        version: `${manifest.entry}@v${manifest.seq}`,
        dryRun: run.dryRun,
        fetchDatasets: run.fetchDatasets,
        attachment: (name) => logbook.readAttachment(manifest, attachmentName(id, name)),
        identity: async () => (run.dryRun || !run.identity ? undefined : run.identity()),
      });
    } catch (error) {
      // One step failing (dnf missing, a clone refused) must not stop the others or the files.
      const message = error instanceof Error ? error.message : String(error);
      outcome = { actions: [], problems: [{ step: id, kind: recorded.kind, subject: id, message }] };
    }
    actions.push(...outcome.actions.map((action) => ({ step: id, action })));
    // Named by the recipe step id (a recipe may hold two steps of one kind), whatever the step wrote.
    problems.push(...outcome.problems.map((p) => ({ ...p, step: id })));
  }
  return { actions, problems };
}

/** Differences between the facts of two versions (or a version and a fresh capture), step by step. */
export function diffFacts(
  before: Readonly<Record<string, RecordedStep>>,
  after: Readonly<Record<string, RecordedStep>>,
): { step: string; change: FactChange }[] {
  const out: { step: string; change: FactChange }[] = [];
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const id of ids) {
    const a = before[id];
    const b = after[id];
    const kind = stepKind((a ?? b)?.kind ?? '');
    if (kind === undefined || !isFactStep(kind)) continue;
    if (a !== undefined && b !== undefined && a.kind !== b.kind) continue; // same id, other meaning
    if (a === undefined || b === undefined) {
      const change = a === undefined ? 'added' : 'removed';
      out.push({ step: id, change: { change, subject: `step ${id} (${kind.kind})` } });
      continue;
    }
    for (const change of kind.diff(a.facts, b.facts)) out.push({ step: id, change });
  }
  return out;
}

/** `show` lines of every fact step of a manifest, by step id. */
export function describeFacts(manifest: Manifest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, recorded] of factStepsOf(manifest)) {
    try {
      out[id] = recorded.step.describe(recorded.facts);
    } catch {
      out[id] = ['(facts unreadable: written by another version of vml-agent?)'];
    }
  }
  return out;
}

/** The recorded fact steps of a manifest whose kind this agent knows, in recorded order. */
function factStepsOf(manifest: Manifest): [string, RecordedStep & { step: FactStep<unknown, unknown> }][] {
  const out: [string, RecordedStep & { step: FactStep<unknown, unknown> }][] = [];
  for (const [id, recorded] of Object.entries(manifest.steps ?? {})) {
    const step = stepKind(recorded.kind);
    if (step === undefined || !isFactStep(step)) continue;
    out.push([id, { ...(recorded as RecordedStep), step }]);
  }
  return out;
}

function context(run: FactRun, withBlock: unknown): StepContext<unknown> {
  return {
    root: run.root,
    with: withBlock ?? {},
    entry: run.entry,
    home: homeOf(run.accounts, run.entry.split('/')[0] as string),
    accounts: run.accounts,
    output: run.output,
    signal: run.signal,
  };
}

/** Attachment names are per step: `<step id>.<name>`. */
function attachmentName(stepId: string, name: string): string {
  return `${stepId}.${name}`;
}
