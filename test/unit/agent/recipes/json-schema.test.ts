import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RECIPE_JSON_SCHEMA_FILE,
  recipeJsonSchema,
  recipeJsonSchemaText,
} from '../../../../agent/recipes/json-schema.js';
import { SHIPPED_RECIPES_DIR } from '../../../../agent/recipes/load.js';

describe('recipeJsonSchema()', () => {
  it('matches the committed recipes/recipe.schema.json', async () => {
    const committed: unknown = JSON.parse(
      await readFile(join(SHIPPED_RECIPES_DIR, RECIPE_JSON_SCHEMA_FILE), 'utf8'),
    );
    const regenerate = 'npm run build && npx node dist/agent/recipes/write-json-schema.js';
    // Compared as data, not text: a reformatted file is still the right schema.
    expect(committed, `recipes/${RECIPE_JSON_SCHEMA_FILE} is stale: run "${regenerate}"`).toEqual(
      recipeJsonSchema(),
    );
  });

  it('writes text that reads back as the schema', () => {
    expect(JSON.parse(recipeJsonSchemaText())).toEqual(recipeJsonSchema());
  });

  it('checks the with block of a files step by the files schema', () => {
    const text = JSON.stringify(recipeJsonSchema());
    expect(text).toContain('"const":"files"');
    expect(text).toContain('"maxFileSize"');
    expect(recipeJsonSchema()).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(['version', 'steps']),
    });
  });
});
