/**
 * The step contract, after cloud-init's modules: each kind of thing a recipe captures and restores is one
 * file in agent/steps/ that exports its metadata beside its handlers, so the schema, the documentation
 * examples and the code that uses them cannot drift apart.
 */
import type { z } from 'zod';

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
