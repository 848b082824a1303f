/**
 * Every step kind, listed explicitly: importing a step file never registers anything by side effect, so
 * this list is the single place that decides what a recipe may use.
 */

import { atlasReleaseStep } from './atlas-release.js';
import { credentialsStep } from './credentials.js';
import { cvmfsStep } from './cvmfs.js';
import { datasetsStep } from './datasets.js';
import { environmentStep } from './environment.js';
import { filesStepKind } from './files-schema.js';
import { gitStep } from './git.js';
import { packagesStep } from './packages.js';
import type { StepKind } from './step.js';

/** All step kinds a recipe may name, sorted by kind. */
export const STEP_KINDS: readonly StepKind<unknown>[] = bake([
  filesStepKind,
  credentialsStep as StepKind<unknown>,
  packagesStep,
  cvmfsStep as StepKind<unknown>,
  atlasReleaseStep as StepKind<unknown>,
  datasetsStep as StepKind<unknown>,
  environmentStep as StepKind<unknown>,
  gitStep as StepKind<unknown>,
]);

/** The step kind called `name`, or undefined if there is none. */
export function stepKind(name: string): StepKind<unknown> | undefined {
  return STEP_KINDS.find((step) => step.kind === name);
}

// Checked at import so that a bad entry fails every test, not only the one recipe that uses it.
function bake(kinds: readonly StepKind<unknown>[]): readonly StepKind<unknown>[] {
  const seen = new Set<string>();
  for (const { kind, heading } of kinds) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(kind)) throw new Error(`Step kind "${kind}" is not kebab-case`);
    if (seen.has(kind)) throw new Error(`Step kind "${kind}" is listed twice`);
    if (heading.endsWith('.')) throw new Error(`Heading of step kind "${kind}" ends with a period`);
    seen.add(kind);
  }
  return Object.freeze([...kinds].sort((a, b) => a.kind.localeCompare(b.kind)));
}
