/**
 * Zod schema of a recipe document. Each step's `with` block is only checked to be a mapping here: its step
 * kind's schema validates it in a second pass (validate.ts), so that problems point into the block, like
 * `steps[2].with.include[0]`, instead of at a union that failed as a whole.
 */
import { z } from 'zod';

/** Recipe names and step ids: lowercase words joined by single hyphens. */
export const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const kebab = (what: string) =>
  z.string().regex(KEBAB_CASE, { error: `expected a kebab-case ${what}, like "my-analysis"` });

/** One entry of `steps`, before its `with` block is validated by its kind. */
export const recipeStepSchema = z
  .object({
    id: kebab('step id')
      .optional()
      .describe('Names the step so a recipe that extends this one can replace it; defaults to the kind'),
    kind: z.string().describe('The step kind, like "files"'),
    with: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("Options of the step, checked by its kind's schema"),
  })
  .strict();

/** A recipe file: what an environment backup captures and how it is restored. */
export const recipeSchema = z
  .object({
    version: z.literal(1).describe('Format version of this file; always 1'),
    name: kebab('recipe name').optional().describe('Must match the file name without ".yaml" if given'),
    description: z
      .string()
      .min(1, { error: 'must not be empty' })
      .describe('One line: what this recipe keeps'),
    extends: z
      .array(kebab('recipe name'))
      .optional()
      .describe('Recipes whose steps come first; a step with the same id here replaces theirs in place'),
    steps: z.array(recipeStepSchema).describe('What to capture, in order'),
  })
  .strict();

/** A recipe document that passed the first validation pass. */
export type RecipeDocument = z.output<typeof recipeSchema>;

/** One step of a recipe document; `with` is not yet validated by its kind. */
export type RecipeDocumentStep = z.output<typeof recipeStepSchema>;
