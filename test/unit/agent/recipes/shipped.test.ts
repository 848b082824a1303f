import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { listRecipes, loadRecipe, SHIPPED_RECIPES_DIR } from '../../../../agent/recipes/load.js';

const files = (await readdir(SHIPPED_RECIPES_DIR)).filter((file) => file.endsWith('.yaml'));

describe('shipped recipes', () => {
  it('include home and full-root', () => {
    expect(files).toEqual(expect.arrayContaining(['home.yaml', 'full-root.yaml']));
  });

  it.each(files)('%s loads and names itself after its file', async (file) => {
    const name = file.replace(/\.yaml$/, '');
    const recipe = await loadRecipe(name, { dirs: [SHIPPED_RECIPES_DIR] });
    expect(recipe.name).toBe(name);
    expect(recipe.file).toBe(`recipes/${file}`);
    expect(recipe.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(recipe.steps.length).toBeGreaterThan(0);
  });

  it('listRecipes lists every shipped file with its description', async () => {
    const listings = await listRecipes([SHIPPED_RECIPES_DIR]);
    expect(listings.map((listing) => `${listing.name}.yaml`)).toEqual([...files].sort());
    for (const listing of listings) expect(listing.description).toMatch(/\S/);
  });

  it('home keeps the home directory but not caches or build areas', async () => {
    const recipe = await loadRecipe('home', { dirs: [SHIPPED_RECIPES_DIR] });
    expect(recipe.steps[0]).toMatchObject({
      id: 'home',
      kind: 'files',
      with: { include: ['{home}/**'], oneFileSystem: false },
    });
    const { exclude } = recipe.steps[0]?.with as { exclude: string[] };
    expect(exclude).toEqual(expect.arrayContaining(['{home}/.cache/**', '**/__pycache__/**', '**/build/**']));
  });

  it('full-root stays on one file system and leaves out pseudo-file systems and CernVM-FS', async () => {
    const recipe = await loadRecipe('full-root', { dirs: [SHIPPED_RECIPES_DIR] });
    const step = recipe.steps[0]?.with as { include: string[]; exclude: string[]; oneFileSystem: boolean };
    expect(step.include).toEqual(['**']);
    expect(step.oneFileSystem).toBe(true);
    expect(step.exclude).toEqual(
      expect.arrayContaining(['proc/**', 'sys/**', 'dev/**', 'cvmfs/**', 'var/lib/cvmfs/**']),
    );
  });
});
