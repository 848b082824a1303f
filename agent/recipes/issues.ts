/**
 * Zod issues in the words of a recipe author: `expected array, got string`, `unknown key "exlude"`.
 * The error map only fills in messages a schema did not set itself, so a schema's own wording wins.
 */
import type { z } from 'zod';
import type { RecipeLocator, RecipePath, RecipeProblem } from './problems.js';

/** Parse options that word zod's default messages for recipe authors. */
export const RECIPE_PARSE_OPTIONS = { error: recipeErrorMap } as const;

/** Converts zod issues at `prefix` (the path of the validated value) into located problems. */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  locator: RecipeLocator,
  prefix: RecipePath = [],
): RecipeProblem[] {
  const problems: RecipeProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((key) => typeof key !== 'symbol')];
    if (issue.code === 'unrecognized_keys') {
      // One problem per key, each at the key itself: that is the line the author has to change.
      for (const key of issue.keys) {
        problems.push(locator.problem(path, `unknown key "${key}"${issue.message}`, { key }));
      }
    } else {
      problems.push(locator.problem(path, issue.message));
    }
  }
  return problems;
}

function recipeErrorMap(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `missing, expected ${typeWord(issue.expected)}`;
      return `expected ${typeWord(issue.expected)}, got ${typeOf(issue.input)}`;
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value));
      const expected = values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
      return `expected ${expected}, got ${describe(issue.input)}`;
    }
    case 'too_small':
      if (issue.minimum === 1 && (issue.origin === 'array' || issue.origin === 'string'))
        return 'must not be empty';
      return undefined;
    case 'unrecognized_keys': {
      // issuesToProblems puts `unknown key "…"` in front; here only the keys that are allowed.
      const known = knownKeys(issue.inst);
      return known === undefined ? '' : `: expected one of ${known.join(', ')}`;
    }
    default:
      return undefined;
  }
}

function knownKeys(inst: z.core.$ZodType | z.core.$ZodCheck | undefined): string[] | undefined {
  const def: object | undefined = inst?._zod.def;
  if (def === undefined || !('shape' in def) || typeof def.shape !== 'object' || def.shape === null) {
    return undefined;
  }
  return Object.keys(def.shape);
}

// A recipe author writes YAML, where zod's "record" is just a mapping like any other object.
function typeWord(expected: string): string {
  return expected === 'record' ? 'object' : expected;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function describe(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  return typeOf(value);
}
