import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRecipe } from '../../../../agent/recipes/load.js';
import { recipeDir, rejection } from './helpers.js';

const HEAD = ['version: 1', 'description: Test recipe'];
const FILES_STEP = ['  - kind: files', '    with:', '      include: ["{home}/**"]'];

describe('loadRecipe() on valid recipes', () => {
  it('applies the step defaults and records the file', async () => {
    const dir = await recipeDir({ web: [...HEAD, 'steps:', ...FILES_STEP] });
    const recipe = await loadRecipe('web', { dirs: [dir] });
    expect(recipe).toMatchObject({ name: 'web', description: 'Test recipe', file: join(dir, 'web.yaml') });
    expect(recipe.steps).toEqual([
      { id: 'files', kind: 'files', with: { include: ['{home}/**'], oneFileSystem: false } },
    ]);
  });

  it('takes the first directory that has the recipe', async () => {
    const first = await recipeDir({ web: ['version: 1', 'description: First', 'steps:', ...FILES_STEP] });
    const second = await recipeDir({ web: ['version: 1', 'description: Second', 'steps:', ...FILES_STEP] });
    expect((await loadRecipe('web', { dirs: [first, second] })).description).toBe('First');
  });

  it('accepts a path to a .yaml file', async () => {
    const dir = await recipeDir({ mine: [...HEAD, 'steps:', ...FILES_STEP] });
    const recipe = await loadRecipe(join(dir, 'mine.yaml'), { dirs: [] });
    expect(recipe.name).toBe('mine');
  });

  it('puts parent steps first, replaces a step with the same id in place and appends new ones', async () => {
    const dir = await recipeDir({
      base: [
        ...HEAD,
        'steps:',
        '  - id: home',
        '    kind: files',
        '    with: { include: ["{home}/**"] }',
        '  - id: etc',
        '    kind: files',
        '    with: { include: ["etc/**"] }',
      ],
      child: [
        ...HEAD,
        'extends: [base]',
        'steps:',
        '  - id: opt',
        '    kind: files',
        '    with: { include: ["opt/**"] }',
        '  - id: home',
        '    kind: files',
        '    with: { include: ["{home}/src/**"] }',
      ],
    });
    const recipe = await loadRecipe('child', { dirs: [dir] });
    expect(recipe.steps.map((step) => [step.id, (step.with as { include: string[] }).include[0]])).toEqual([
      ['home', '{home}/src/**'],
      ['etc', 'etc/**'],
      ['opt', 'opt/**'],
    ]);
  });

  it('lets a recipe extend the recipe of the same name it shadows', async () => {
    const shipped = await recipeDir({ home: [...HEAD, 'steps:', ...FILES_STEP] });
    const user = await recipeDir({
      home: [
        'version: 1',
        'description: Mine',
        'extends: [home]',
        'steps:',
        '  - id: etc',
        '    kind: files',
        '    with: { include: ["etc/**"] }',
      ],
    });
    const recipe = await loadRecipe('home', { dirs: [user, shipped] });
    expect(recipe.description).toBe('Mine');
    expect(recipe.steps.map((step) => step.id)).toEqual(['files', 'etc']);
  });

  it('resolves a diamond without calling it a cycle', async () => {
    const step = (id: string) => [`  - id: ${id}`, '    kind: files', `    with: { include: ["${id}/**"] }`];
    const dir = await recipeDir({
      root: [...HEAD, 'steps:', ...step('root')],
      left: [...HEAD, 'extends: [root]', 'steps:', ...step('left')],
      right: [...HEAD, 'extends: [root]', 'steps:', ...step('right')],
      top: [...HEAD, 'extends: [left, right]', 'steps: []'],
    });
    const recipe = await loadRecipe('top', { dirs: [dir] });
    expect(recipe.steps.map((s) => s.id)).toEqual(['root', 'left', 'right']);
  });

  it('hashes what runs, not how the file is written', async () => {
    const a = await recipeDir({ web: [...HEAD, 'steps:', ...FILES_STEP] });
    const b = await recipeDir({
      web: [
        '# comment',
        'description: Test recipe',
        'version: 1',
        'steps: [{kind: files, with: {include: ["{home}/**"], oneFileSystem: false}}]',
      ],
    });
    const c = await recipeDir({
      web: [...HEAD, 'steps:', '  - kind: files', '    with: { include: ["etc/**"] }'],
    });
    const hash = async (dir: string) => (await loadRecipe('web', { dirs: [dir] })).hash;
    expect(await hash(a)).toBe(await hash(b));
    expect(await hash(a)).not.toBe(await hash(c));
  });
});

describe('loadRecipe() finding recipes', () => {
  it('names the directories and the known recipes when a name is unknown', async () => {
    const dir = await recipeDir({ web: [...HEAD, 'steps:', ...FILES_STEP] });
    const error = await rejection(loadRecipe('wbe', { dirs: [dir] }));
    expect(error).toMatchObject({ code: 'E_RECIPE_INVALID', exitCode: 2, hint: 'Known recipes: web' });
    expect(error.message).toBe(`Cannot find recipe "wbe": no wbe.yaml in "${dir}"`);
  });

  it('refuses names that could leave the recipe directories', async () => {
    const dir = await recipeDir({});
    const error = await rejection(loadRecipe('..', { dirs: [dir] }));
    expect(error.message).toContain('recipe names are kebab-case');
  });

  it('reports a missing file given by path', async () => {
    const error = await rejection(loadRecipe('/nonexistent/x.yaml', { dirs: [] }));
    expect(error.message).toBe('Cannot find recipe "/nonexistent/x.yaml": the file does not exist');
  });
});
