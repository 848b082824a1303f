import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { RecipeInvalidError } from '../../../../agent/recipes/problems.js';
import { isVmlError } from '../../../../core/errors.js';

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temp dir holding `<name>.yaml` for each entry; lines are joined with "\n" so line numbers are exact. */
export async function recipeDir(files: Record<string, readonly string[]>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vml-recipes-'));
  created.push(dir);
  for (const [name, lines] of Object.entries(files))
    await writeFile(join(dir, `${name}.yaml`), `${lines.join('\n')}\n`);
  return dir;
}

/** The error a promise rejects with; fails if it resolves or rejects with something that is not a VmlError. */
export async function rejection(promise: Promise<unknown>): Promise<RecipeInvalidError> {
  try {
    await promise;
  } catch (error) {
    if (isVmlError(error)) return error as RecipeInvalidError;
    throw error;
  }
  throw new Error('Expected the promise to reject');
}
