/**
 * The JSON schema of recipe files (recipes/recipe.schema.json), generated from the zod schemas so editors
 * (yaml-language-server) check and complete the same thing the loader checks.
 */
import { z } from 'zod';
import { STEP_KINDS } from '../steps/registry.js';
import { recipeSchema, recipeStepSchema } from './schema.js';

/** File name of the generated schema inside the recipes directory. */
export const RECIPE_JSON_SCHEMA_FILE = 'recipe.schema.json';

/** The JSON schema of a recipe, with each step's `with` block checked by the schema of its kind. */
export function recipeJsonSchema(): Record<string, unknown> {
  const variants = STEP_KINDS.map((step) =>
    recipeStepSchema.extend({
      kind: z.literal(step.kind).describe(step.heading),
      // A kind whose options all have defaults may leave `with` out, as the loader allows.
      with: step.schema.safeParse({}).success ? step.schema.optional() : step.schema,
    }),
  );
  const [first, ...rest] = variants;
  if (first === undefined) throw new Error('No step kinds are registered');
  const document = recipeSchema
    .extend({
      steps: z.array(z.discriminatedUnion('kind', [first, ...rest])).describe('What to capture, in order'),
    })
    .meta({ title: 'VML recipe', description: 'What an environment backup captures and how it is restored' });
  // `input`: what a recipe may write, so keys with defaults are optional.
  return z.toJSONSchema(document, { io: 'input', unrepresentable: 'any' });
}

/** The text of recipes/recipe.schema.json, laid out as the project's formatter (biome) lays out JSON. */
export function recipeJsonSchemaText(): string {
  return `${formatJson(recipeJsonSchema(), '', 0)}\n`;
}

const LINE_WIDTH = 110;

// Objects one key per line, arrays of scalars on one line where they fit: biome's layout, so that a
// regenerated file passes `npm run lint` without a `npm run format` in between.
function formatJson(value: unknown, indent: string, used: number): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    const scalars = value.every((item) => typeof item !== 'object' || item === null);
    if (value.length === 0 || (scalars && used + flat.length + 1 <= LINE_WIDTH)) return flat;
    const items = value.map((item) => `${inner}${formatJson(item, inner, inner.length)}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, item]) => {
    const head = `${inner}${JSON.stringify(key)}: `;
    return `${head}${formatJson(item, inner, head.length)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}
