/**
 * Finds a recipe by name in the search directories, validates it and everything it extends, and merges
 * the steps into the one list a backup runs.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { explainFsError, VmlError } from '../../core/errors.js';
import { sha256OfJson } from './hash.js';
import { RECIPE_HINT, RecipeInvalidError, type RecipeProblem } from './problems.js';
import { KEBAB_CASE } from './schema.js';
import { parseRecipeText, type RecipeFile, type ResolvedStep } from './validate.js';

export type { ResolvedStep } from './validate.js';

/** A recipe with its parents merged in: exactly what a backup runs. */
export interface ResolvedRecipe {
  readonly name: string;
  readonly description: string;
  /** The recipe file as shown in messages: relative to the package for shipped recipes, else as found. */
  readonly file: string;
  /** SHA-256 hex of the canonical JSON of name, description and steps (not of the file's text). */
  readonly hash: string;
  /** Parent steps first, in order; a step whose id a child reuses is replaced in place. */
  readonly steps: readonly ResolvedStep[];
}

/** Where to look for recipes. */
export interface LoadRecipeOptions {
  /** Searched in order for `<name>.yaml`; the first match wins. */
  readonly dirs: readonly string[];
}

/** A recipe found by listRecipes. */
export interface RecipeListing {
  readonly name: string;
  readonly file: string;
  /** Undefined if the file has no readable description; listing does not validate. */
  readonly description: string | undefined;
}

// The compiled module lives in dist/agent/recipes/ and the sources in agent/recipes/, while the recipes
// stay in <package>/recipes/: walking up finds them from both.
const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The recipes shipped with VML (`<package>/recipes`). */
export const SHIPPED_RECIPES_DIR = join(
  PACKAGE_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'),
  'recipes',
);

/** Loads recipe `name` (or a path to a .yaml file) with everything it extends; throws E_RECIPE_INVALID. */
export async function loadRecipe(name: string, options: LoadRecipeOptions): Promise<ResolvedRecipe> {
  const found = await findTopLevel(name, options.dirs);
  const recipe = await loadFile(found.file, found.name);
  const steps = await resolveSteps(recipe, found, options.dirs, [found]);
  if (steps.length === 0) {
    throw new RecipeInvalidError([
      recipe.locator.problem(['steps'], 'must not be empty: this recipe backs up nothing'),
    ]);
  }
  const resolved = { name: found.name, description: recipe.description, steps };
  return { ...resolved, file: recipe.file, hash: sha256OfJson({ version: 1, ...resolved }) };
}

/** Every recipe in `dirs`, by name; a name in an earlier directory hides the same name in later ones. */
export async function listRecipes(dirs: readonly string[]): Promise<RecipeListing[]> {
  const listings = new Map<string, RecipeListing>();
  for (const dir of dirs) {
    for (const entry of await readDirIfExists(dir)) {
      const name = entry.slice(0, -'.yaml'.length);
      if (!entry.endsWith('.yaml') || !KEBAB_CASE.test(name) || listings.has(name)) continue;
      const path = join(dir, entry);
      listings.set(name, { name, file: displayPath(path), description: await readDescription(path) });
    }
  }
  return [...listings.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A recipe file found on disk; `dirIndex` is -1 for a path given directly. */
interface FoundRecipe {
  readonly name: string;
  readonly path: string;
  readonly file: string;
  readonly dirIndex: number;
}

async function resolveSteps(
  recipe: RecipeFile,
  found: FoundRecipe,
  dirs: readonly string[],
  chain: readonly FoundRecipe[],
): Promise<ResolvedStep[]> {
  const parents: FoundRecipe[] = [];
  const problems: RecipeProblem[] = [];
  for (const [index, parentName] of recipe.extends.entries()) {
    // A recipe may extend the recipe it shadows ("home" in ~/.vml/recipes extending the shipped "home"),
    // so a parent with the recipe's own name is looked up only in the directories after its own.
    const from = parentName === found.name ? found.dirIndex + 1 : 0;
    const parent = await findInDirs(parentName, dirs, from);
    const at = ['extends', index];
    if (parent === undefined) {
      problems.push(
        recipe.locator.problem(
          at,
          `unknown recipe "${parentName}": ${notFoundDetail(parentName, dirs.slice(from))}`,
        ),
      );
    } else if (chain.some((link) => link.path === parent.path)) {
      const names = [...chain, parent].map((link) => link.name).join(' → ');
      problems.push(recipe.locator.problem(at, `recipe "${parentName}" extends itself: ${names}`));
    } else {
      parents.push(parent);
    }
  }
  if (problems.length > 0) throw new RecipeInvalidError(problems);

  let steps: ResolvedStep[] = [];
  for (const parent of parents) {
    const parentRecipe = await loadFile(parent.file, parent.name);
    steps = mergeSteps(steps, await resolveSteps(parentRecipe, parent, dirs, [...chain, parent]));
  }
  return mergeSteps(steps, recipe.steps);
}

function mergeSteps(base: readonly ResolvedStep[], overrides: readonly ResolvedStep[]): ResolvedStep[] {
  const merged = [...base];
  for (const step of overrides) {
    const index = merged.findIndex((existing) => existing.id === step.id);
    if (index === -1) merged.push(step);
    else merged[index] = step;
  }
  return merged;
}

async function loadFile(file: string, name: string): Promise<RecipeFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw explainFsError(error, file);
  }
  return parseRecipeText(text, { file: displayPath(file), name });
}

async function findTopLevel(name: string, dirs: readonly string[]): Promise<FoundRecipe> {
  if (name.includes('/') || name.includes(sep) || /\.ya?ml$/.test(name)) {
    if (!(await isFile(name))) {
      throw new VmlError('E_RECIPE_INVALID', `Cannot find recipe "${name}": the file does not exist`, {
        hint: 'Give the name of a recipe, or the path of a .yaml file',
      });
    }
    return { name: basename(name, extname(name)), path: resolve(name), file: name, dirIndex: -1 };
  }
  const found = KEBAB_CASE.test(name) ? await findInDirs(name, dirs, 0) : undefined;
  if (found !== undefined) return found;
  const known = (await listRecipes(dirs)).map((listing) => listing.name);
  throw new VmlError('E_RECIPE_INVALID', `Cannot find recipe "${name}": ${notFoundDetail(name, dirs)}`, {
    hint: known.length > 0 ? `Known recipes: ${known.join(', ')}` : RECIPE_HINT,
  });
}

async function findInDirs(
  name: string,
  dirs: readonly string[],
  from: number,
): Promise<FoundRecipe | undefined> {
  for (let dirIndex = from; dirIndex < dirs.length; dirIndex++) {
    const file = join(dirs[dirIndex] ?? '', `${name}.yaml`);
    if (await isFile(file)) return { name, path: resolve(file), file, dirIndex };
  }
  return undefined;
}

function notFoundDetail(name: string, dirs: readonly string[]): string {
  if (!KEBAB_CASE.test(name)) return 'recipe names are kebab-case, like "home"';
  if (dirs.length === 0) return 'no recipe directories to look in';
  return `no ${name}.yaml in ${dirs.map((dir) => `"${dir}"`).join(', ')}`;
}

// Shipped recipes read as `recipes/home.yaml` wherever VML is installed; others as they were found.
function displayPath(file: string): string {
  if (PACKAGE_ROOT === undefined || !isAbsolute(file)) return file;
  const inPackage = relative(PACKAGE_ROOT, file);
  return inPackage.startsWith('..') || isAbsolute(inPackage) ? file : inPackage;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw explainFsError(error, path);
  }
}

async function readDirIfExists(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw explainFsError(error, dir);
  }
}

async function readDescription(path: string): Promise<string | undefined> {
  try {
    const description: unknown = parseDocument(await readFile(path, 'utf8')).get('description');
    return typeof description === 'string' ? description : undefined;
  } catch {
    // Listing is best effort: loading the recipe reports what is wrong with it.
    return undefined;
  }
}

function findPackageRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'recipes', 'home.yaml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
