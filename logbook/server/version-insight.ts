/**
 * What the server needs to know about the facts a version's steps recorded, to show and compare versions
 * the way `vml-agent show` and `vml-agent diff` do. Only the agent's step kinds understand their facts, and
 * logbook/ must not import agent/ (DESIGN.md §4): host/server/insight.ts implements this with the agent's
 * step registry, and `vml logbook serve` passes it to buildApp(). Every method reads the manifest only and
 * never throws for facts it cannot read (a newer or unknown step kind is left out or described as such).
 */
import type { Manifest } from '../format/manifest.js';

/** One fact that changed between two versions (a package, a release, a variable…). */
export interface FactChangeView {
  /** The recipe step id that recorded it. */
  readonly step: string;
  readonly change: {
    readonly change: 'added' | 'removed' | 'modified';
    /** Like `package root-6.30.06-1.el9.x86_64` or `variable AtlasVersion`. */
    readonly subject: string;
    readonly detail?: string | undefined;
  };
}

export interface VersionInsight {
  /** The `show` lines of every fact step of a known kind, by step id, in recorded order. */
  describeFacts(manifest: Manifest): Record<string, string[]>;
  /** A step kind's one-line heading, or undefined for a kind this insight does not know. */
  stepHeading(kind: string): string | undefined;
  /** What changed in the facts from `before` to `after`, step by step (steps sorted by id). */
  diffFacts(before: Manifest, after: Manifest): FactChangeView[];
  /** The ATLAS releases of the version's work areas, like "Athena 24.0.30 (x86_64-el9-gcc13-opt)", once each. */
  releases(manifest: Manifest): string[];
  /** Every recorded package as `name-[epoch:]version-release.arch`, of every packages step. */
  packages(manifest: Manifest): string[];
}
