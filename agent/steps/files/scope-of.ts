/** The scope of a recipe: the union of its `files` steps. */
import type { ResolvedRecipe } from '../../recipes/load.js';
import type { FilesWith } from '../files-schema.js';
import { type Accounts, homeOf } from './owners.js';
import { Scope } from './scope.js';

/**
 * Builds the Scope of all `files` steps of `recipe` for `entry`: `{home}` is the home of the entry's owner
 * (the part before "/") as the root's own passwd gives it. `excludedPaths` are left out exactly (see Scope).
 */
export function scopeOf(
  recipe: ResolvedRecipe,
  accounts: Accounts,
  entry: string,
  excludedPaths?: ReadonlySet<string>,
): Scope {
  const steps = recipe.steps.filter((s) => s.kind === 'files').map((s) => s.with as FilesWith);
  return new Scope(steps, homeOf(accounts, entry.split('/')[0] as string), excludedPaths);
}
