/** The scope of a recipe: the union of its `files` steps. */
import type { ResolvedRecipe } from '../../recipes/load.js';
import type { FilesWith } from '../files-schema.js';
import { Scope } from './scope.js';

/** Builds the Scope of all `files` steps of `recipe`, with `{home}` as `home` (root-relative). */
export function scopeOf(recipe: ResolvedRecipe, home: string): Scope {
  const steps = recipe.steps.filter((s) => s.kind === 'files').map((s) => s.with as FilesWith);
  return new Scope(steps, home);
}
