/**
 * The recipe a backup uses when none is given (`--recipe`, VML_RECIPE) or configured (agent.yaml):
 * `atlas-analysis` when the owner's home holds an ATLAS work area, else `home`. The search is shallow (a
 * `.asetup.save` at most three directories below the home, build areas and .git skipped), so it costs
 * milliseconds even in a big home.
 */
import { findPaths, SKIP_DIRS } from '../steps/atlas/find-paths.js';
import { homeOf, readAccounts } from '../steps/files/owners.js';

/** Directory levels below the home searched for a work area. */
export const WORK_AREA_DEPTH = 3;

export interface ChosenRecipe {
  readonly name: 'atlas-analysis' | 'home';
  /** Why, in a sentence for an info event. */
  readonly message: string;
}

/** Chooses between `atlas-analysis` and `home` for `entry` on `root`. */
export async function chooseRecipe(root: string, entry: string): Promise<ChosenRecipe> {
  const home = homeOf(await readAccounts(root), entry.split('/')[0] as string);
  const found = await findPaths(root, ['{home}/**/.asetup.save'], {
    home,
    maxDepth: WORK_AREA_DEPTH,
    skip: SKIP_DIRS,
    type: 'file',
  });
  const first = found[0];
  if (first !== undefined) {
    return {
      name: 'atlas-analysis',
      message: `No recipe given or configured: using "atlas-analysis", for the ATLAS work area of /${first}`,
    };
  }
  return {
    name: 'home',
    message: `No recipe given or configured: using "home" (no ATLAS work area, no .asetup.save under /${home})`,
  };
}
