/**
 * One recipe file from text to validated steps, without following `extends` (load.ts does that).
 * Every problem of the file is collected before anything is thrown.
 */
import { isScalar, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import { STEP_KINDS, stepKind } from '../steps/registry.js';
import { issuesToProblems, RECIPE_PARSE_OPTIONS } from './issues.js';
import { RecipeInvalidError, RecipeLocator, type RecipeProblem } from './problems.js';
import { recipeSchema } from './schema.js';

/** One step after validation; `with` is the output of its kind's schema (defaults applied). */
export interface ResolvedStep {
  /** The step's `id`, or its kind when the recipe gave none. */
  readonly id: string;
  readonly kind: string;
  readonly with: unknown;
}

/** A valid recipe file on its own: its parents are only named, not yet loaded. */
export interface RecipeFile {
  readonly file: string;
  readonly description: string;
  readonly extends: readonly string[];
  readonly steps: readonly ResolvedStep[];
  /** Where things are in this file, for problems found later (like an unknown parent). */
  readonly locator: RecipeLocator;
}

/** Parses and validates the text of recipe `name`; throws RecipeInvalidError listing every problem. */
export function parseRecipeText(text: string, options: { file: string; name: string }): RecipeFile {
  const lines = new LineCounter();
  // prettyErrors off: the context snippet it adds does not fit a one-line-per-problem message.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const locator = new RecipeLocator(options.file, doc, lines);
  if (doc.errors.length > 0) {
    throw new RecipeInvalidError(doc.errors.map((error) => yamlProblem(error, doc, locator)));
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // An alias to an anchor that does not exist is only noticed when the document is converted.
    throw new RecipeInvalidError([locator.problem([], lowerFirst((error as Error).message))]);
  }

  const parsed = recipeSchema.safeParse(data, RECIPE_PARSE_OPTIONS);
  const problems = parsed.success ? [] : issuesToProblems(parsed.error.issues, locator);
  const steps = validateSteps(data, locator, problems);
  checkName(data, options.name, locator, problems);
  if (problems.length > 0 || !parsed.success) throw new RecipeInvalidError(problems);

  return {
    file: options.file,
    description: parsed.data.description,
    extends: parsed.data.extends ?? [],
    steps,
    locator,
  };
}

// Second pass: each `with` block by its kind's schema. Runs on the raw data even when the first pass
// failed elsewhere, so that one run reports the problems of every step.
function validateSteps(data: unknown, locator: RecipeLocator, problems: RecipeProblem[]): ResolvedStep[] {
  const rawSteps = isRecord(data) && Array.isArray(data.steps) ? data.steps : [];
  const steps: ResolvedStep[] = [];
  const firstIndexOfId = new Map<string, number>();
  for (const [index, raw] of rawSteps.entries()) {
    if (!isRecord(raw) || typeof raw.kind !== 'string') continue;
    const kind = stepKind(raw.kind);
    if (kind === undefined) {
      const known = STEP_KINDS.map((step) => step.kind).join(', ');
      problems.push(
        locator.problem(
          ['steps', index, 'kind'],
          `unknown step kind "${raw.kind}": expected one of ${known}`,
        ),
      );
      continue;
    }
    const id = typeof raw.id === 'string' ? raw.id : raw.kind;
    const previous = firstIndexOfId.get(id);
    if (previous !== undefined) {
      const at = typeof raw.id === 'string' ? 'id' : 'kind';
      const why = `duplicate step id "${id}" (also steps[${previous}]): give one of them a different "id"`;
      problems.push(locator.problem(['steps', index, at], why));
    } else {
      firstIndexOfId.set(id, index);
    }
    // A missing `with` means "all defaults"; a `with` that is not a mapping was reported by the first pass.
    const rawWith = raw.with ?? {};
    if (!isRecord(rawWith)) continue;
    const result = kind.schema.safeParse(rawWith, RECIPE_PARSE_OPTIONS);
    if (result.success) steps.push({ id, kind: kind.kind, with: result.data });
    else problems.push(...issuesToProblems(result.error.issues, locator, ['steps', index, 'with']));
  }
  return steps;
}

// A `name` that disagrees with the file name would make `extends: [name]` find a different file.
function checkName(data: unknown, name: string, locator: RecipeLocator, problems: RecipeProblem[]): void {
  const given = isRecord(data) ? data.name : undefined;
  if (typeof given === 'string' && given !== name) {
    problems.push(locator.problem(['name'], `"${given}" does not match the file name "${name}.yaml"`));
  }
}

function yamlProblem(
  error: YAMLError,
  doc: ReturnType<typeof parseDocument>,
  locator: RecipeLocator,
): RecipeProblem {
  const offset = error.pos[0];
  let message = lowerFirst(error.message);
  if (error.code === 'DUPLICATE_KEY') {
    let key: string | undefined;
    visit(doc, {
      Pair(_, pair) {
        if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
        key = String(pair.key.value);
        return visit.BREAK;
      },
    });
    message = key === undefined ? 'duplicate key' : `duplicate key "${key}"`;
  } else if (error.code === 'MULTIPLE_DOCS') {
    message = 'a recipe must be one YAML document: remove the second "---"';
  }
  return locator.problemAtOffset(offset, [], message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
