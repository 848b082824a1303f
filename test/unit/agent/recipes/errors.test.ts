import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRecipe } from '../../../../agent/recipes/load.js';
import { RECIPE_HINT } from '../../../../agent/recipes/problems.js';
import { STEP_KINDS } from '../../../../agent/steps/registry.js';

// Every step kind, as the error lists them (the list grows as step kinds are added).
const KINDS = STEP_KINDS.map((k) => k.kind).join(', ');

import { recipeDir, rejection } from './helpers.js';

/** The error message of loading `lines` as recipe "web", with the temp dir shown as "recipes". */
async function problems(
  lines: readonly string[],
  others: Record<string, readonly string[]> = {},
): Promise<string> {
  const dir = await recipeDir({ web: lines, ...others });
  const error = await rejection(loadRecipe('web', { dirs: [dir] }));
  expect(error).toMatchObject({ code: 'E_RECIPE_INVALID', exitCode: 2, hint: RECIPE_HINT });
  return error.message.replaceAll(`${dir}/`, 'recipes/');
}

describe('loadRecipe() errors', () => {
  it('reports a YAML syntax error with its line', async () => {
    // An unquoted colon in a description is the classic one.
    const message = await problems(['version: 1', 'description: Keep: everything', 'steps: []']);
    expect(message).toBe('recipes/web.yaml:2:14: nested mappings are not allowed in compact mappings');
  });

  it('reports a duplicate key where it is repeated', async () => {
    const message = await problems([
      'version: 1',
      'description: One',
      'steps:',
      '  - kind: files',
      '    kind: files',
    ]);
    expect(message).toBe('recipes/web.yaml:5:5: duplicate key "kind"');
  });

  it('reports an unknown top-level key at the key, with the known keys', async () => {
    const message = await problems(['version: 1', 'description: One', 'step:', '  - kind: files']);
    expect(message).toContain(
      'recipes/web.yaml:3:1: unknown key "step": expected one of version, name, description, extends, steps',
    );
    // The missing `steps` is reported in the same run, at the document.
    expect(message).toContain('recipes/web.yaml:1:1: steps: missing, expected array');
  });

  it('reports a wrong type deep in with at the value, with its path', async () => {
    const message = await problems([
      'version: 1',
      'description: One',
      'steps:',
      '  - kind: files',
      '    with:',
      '      include: ["{home}/**"]',
      '  - id: etc',
      '    kind: files',
      '    with:',
      '      include: etc/**',
      '      exclude:',
      '        - tmp/**',
      '        - /var/cache/**',
    ]);
    expect(message.split('\n')).toEqual([
      'recipes/web.yaml:10:16: steps[1].with.include: expected array, got string',
      'recipes/web.yaml:13:11: steps[1].with.exclude[1]: must be relative to the root, like "var/cache/**"',
    ]);
  });

  it('reports an unknown key in with, so typos are not silently ignored', async () => {
    const message = await problems([
      'version: 1',
      'description: One',
      'steps:',
      '  - kind: files',
      '    with:',
      '      include: ["**"]',
      '      exlude: ["tmp/**"]',
    ]);
    expect(message).toBe(
      'recipes/web.yaml:7:7: steps[0].with: unknown key "exlude": expected one of include, exclude, oneFileSystem, maxFileSize',
    );
  });

  it('reports a missing with block of a kind that needs options', async () => {
    const message = await problems(['version: 1', 'description: One', 'steps:', '  - kind: files']);
    expect(message).toBe('recipes/web.yaml:4:5: steps[0].with.include: missing, expected array');
  });

  it('lists the known kinds for an unknown step kind', async () => {
    const message = await problems(['version: 1', 'description: One', 'steps:', '  - kind: packagez']);
    expect(message).toBe(
      `recipes/web.yaml:4:11: steps[0].kind: unknown step kind "packagez": expected one of ${KINDS}`,
    );
  });

  it('reports every problem of the file in one error, in file order', async () => {
    const message = await problems([
      'version: 2',
      'description: ""',
      'steps:',
      '  - kind: nope',
      '    id: Bad_Id',
    ]);
    expect(message.split('\n')).toEqual([
      'recipes/web.yaml:1:10: version: expected 1, got 2',
      'recipes/web.yaml:2:14: description: must not be empty',
      `recipes/web.yaml:4:11: steps[0].kind: unknown step kind "nope": expected one of ${KINDS}`,
      'recipes/web.yaml:5:9: steps[0].id: expected a kebab-case step id, like "my-analysis"',
    ]);
  });

  it('reports two steps with the same id', async () => {
    const message = await problems([
      'version: 1',
      'description: One',
      'steps:',
      '  - kind: files',
      '    with: { include: ["a/**"] }',
      '  - kind: files',
      '    with: { include: ["b/**"] }',
    ]);
    expect(message).toBe(
      'recipes/web.yaml:6:11: steps[1].kind: duplicate step id "files" (also steps[0]): give one of them a different "id"',
    );
  });

  it('reports a name that does not match the file name', async () => {
    const message = await problems(['version: 1', 'name: www', 'description: One', 'steps: []']);
    expect(message).toBe('recipes/web.yaml:2:7: name: "www" does not match the file name "web.yaml"');
  });

  it('reports a recipe that ends up with no steps', async () => {
    const message = await problems(['version: 1', 'description: One', 'steps: []']);
    expect(message).toBe('recipes/web.yaml:3:8: steps: must not be empty: this recipe backs up nothing');
  });

  it('reports an unknown parent at its extends entry', async () => {
    const message = await problems(['version: 1', 'description: One', 'extends:', '  - hoem', 'steps: []']);
    expect(message).toMatch(
      /^recipes\/web\.yaml:4:5: extends\[0\]: unknown recipe "hoem": no hoem\.yaml in "/,
    );
  });

  it('names the chain of a cycle in extends', async () => {
    const message = await problems(['version: 1', 'description: One', 'extends: [base]', 'steps: []'], {
      base: ['version: 1', 'description: Base', 'extends: [web]', 'steps: []'],
    });
    expect(message).toBe('recipes/base.yaml:3:11: extends[0]: recipe "web" extends itself: web → base → web');
  });

  it('reports problems of a parent in the parent file', async () => {
    const message = await problems(['version: 1', 'description: One', 'extends: [base]', 'steps: []'], {
      base: ['version: 1', 'description: Base', 'steps:', '  - kind: files', '    with: { include: 3 }'],
    });
    expect(message).toBe('recipes/base.yaml:5:22: steps[0].with.include: expected array, got number');
  });

  it('reports a document that is not a mapping at its start', async () => {
    const dir = await recipeDir({ web: ['- just', '- a list'] });
    const error = await rejection(loadRecipe(join(dir, 'web.yaml'), { dirs: [] }));
    expect(error.message).toBe(`${dir}/web.yaml:1:1: expected object, got array`);
  });
});
