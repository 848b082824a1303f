/**
 * Regenerates recipes/recipe.schema.json after a schema change:
 * `npm run build && npx node dist/agent/recipes/write-json-schema.js`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECIPE_JSON_SCHEMA_FILE, recipeJsonSchemaText } from './json-schema.js';
import { SHIPPED_RECIPES_DIR } from './load.js';

const target = join(SHIPPED_RECIPES_DIR, RECIPE_JSON_SCHEMA_FILE);
await writeFile(target, recipeJsonSchemaText());
process.stdout.write(`Wrote ${target}\n`);
