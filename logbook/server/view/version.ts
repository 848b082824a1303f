/**
 * A version's page as data: its manifest header, what each fact step recorded (the lines `vml-agent show`
 * prints, from the steps' own describe(), through the VersionInsight), the full package list with the repositories restore uses, and
 * the sanitization report of a public version. Never a secret: manifests hold none (FORMAT.md §Manifests).
 */
import type { Sanitization } from '../../format/manifest.js';
import type { VersionRef } from '../../logbook.js';
import type { VersionInsight } from '../version-insight.js';
import { type HistoryRow, historyRow } from './entries.js';

/** What one fact step recorded. */
export interface StepView {
  readonly id: string;
  readonly kind: string;
  /** The step kind's one-line heading ("Record the ATLAS release of each work area…"). */
  readonly heading: string;
  readonly lines: readonly string[];
}

/** A package repository a packages step adds on restore. */
export interface RepoView {
  readonly id: string;
  readonly url: string;
  readonly gpgcheck: boolean;
}

export interface VersionView extends HistoryRow {
  readonly entry: string;
  /** `alice/higgs@v3`. */
  readonly name: string;
  readonly parent: string | undefined;
  readonly recipe: string;
  readonly host: string;
  readonly user: string;
  readonly root: string;
  readonly dirs: number;
  readonly seconds: number;
  readonly steps: readonly StepView[];
  /** Every recorded package (`name-[epoch:]version-release.arch`), of every packages step. */
  readonly packages: readonly string[];
  readonly repositories: readonly RepoView[];
  readonly sanitization: Sanitization | undefined;
}

/** The page data of one version; `insight` reads what its steps recorded. */
export function versionView(ref: VersionRef, insight: VersionInsight): VersionView {
  const m = ref.manifest;
  const described = insight.describeFacts(m);
  const steps: StepView[] = Object.entries(described).map(([id, lines]) => {
    const kind = m.steps[id]?.kind ?? '';
    return { id, kind, heading: insight.stepHeading(kind) ?? kind, lines };
  });
  const repositories: RepoView[] = [];
  for (const step of Object.values(m.steps ?? {})) {
    if (step.kind !== 'packages') continue;
    for (const r of arrayOf((step.with as { repos?: unknown } | undefined)?.repos)) {
      const repo = r as Partial<RepoView> | null;
      if (typeof repo?.id === 'string' && typeof repo.url === 'string') {
        repositories.push({ id: repo.id, url: repo.url, gpgcheck: repo.gpgcheck !== false });
      }
    }
  }
  return {
    ...historyRow(ref, insight),
    entry: m.entry,
    name: `${m.entry}@v${m.seq}`,
    parent: m.parent,
    recipe: m.recipe?.name ?? '',
    host: m.host,
    user: m.user,
    root: m.root,
    dirs: m.stats?.dirs ?? 0,
    seconds: m.stats?.seconds ?? 0,
    steps,
    packages: insight.packages(m),
    repositories,
    sanitization: m.sanitization,
  };
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
