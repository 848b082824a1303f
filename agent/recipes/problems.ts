/**
 * Problems found in a recipe file, each located at file:line:col of the YAML node it is about, and the one
 * error that lists them all, so a user fixes a recipe in one round instead of one problem per run.
 */
import type { Document, LineCounter, Node } from 'yaml';
import { isAlias, isMap, isNode, isScalar, isSeq } from 'yaml';
import { VmlError } from '../../core/errors.js';

/** A key path into a recipe document, like `['steps', 2, 'with', 'include']`. */
export type RecipePath = readonly (string | number)[];

/** One thing wrong with a recipe file. */
export interface RecipeProblem {
  /** The recipe file as shown to the user (relative for shipped recipes). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  /** Empty for problems about the file as a whole (YAML syntax). */
  readonly path: RecipePath;
  readonly message: string;
}

/** Hint of every recipe error. */
export const RECIPE_HINT = 'Fix the recipe, or see docs/recipes.md for the format';

/** An E_RECIPE_INVALID error; the message lists every problem, one per line. */
export class RecipeInvalidError extends VmlError {
  readonly problems: readonly RecipeProblem[];

  constructor(problems: readonly RecipeProblem[], options: { hint?: string } = {}) {
    super('E_RECIPE_INVALID', sortProblems(problems).map(formatProblem).join('\n'), {
      hint: options.hint ?? RECIPE_HINT,
    });
    this.problems = sortProblems(problems);
  }
}

/** `recipes/web.yaml:7:9: steps[2].with.include: expected array, got string`. */
export function formatProblem(problem: RecipeProblem): string {
  const path = formatPath(problem.path);
  return `${problem.file}:${problem.line}:${problem.col}: ${path === '' ? '' : `${path}: `}${problem.message}`;
}

/** `steps[2].with.include[0]`; keys that are not identifiers are quoted, like `with["a b"]`. */
export function formatPath(path: RecipePath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Finds where things are in one parsed YAML document. */
export class RecipeLocator {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** A problem at the node of `path`, or at its nearest existing parent; with `key`, at that key of it. */
  problem(path: RecipePath, message: string, options: { key?: string } = {}): RecipeProblem {
    const node =
      options.key === undefined ? this.nodeAt(path, false) : this.nodeAt([...path, options.key], true);
    return this.problemAtOffset(node?.range?.[0] ?? 0, path, message);
  }

  /** A problem at a character offset into the file. */
  problemAtOffset(offset: number, path: RecipePath, message: string): RecipeProblem {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col, path, message };
  }

  // Missing keys have no node, so the walk stops at the deepest node that exists: for `steps[0].kind`
  // missing, that is the step's mapping, which is where the key should be added.
  private nodeAt(path: RecipePath, atKey: boolean): Node | undefined {
    let node: unknown = this.doc.contents;
    let found: Node | undefined = isNode(node) ? node : undefined;
    for (const [index, segment] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((item) => keyText(item.key) === String(segment));
        if (pair === undefined) break;
        const last = index === path.length - 1;
        // `key:` with nothing after it has an empty scalar right after the colon: the key reads better.
        const value = isScalar(pair.value) && pair.value.value === null ? undefined : pair.value;
        node = last && atKey ? pair.key : (value ?? pair.key);
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        break;
      }
      if (!isNode(node)) break;
      found = node;
      // Values reached through an alias live elsewhere in the file; the alias is where this path points.
      if (isAlias(node)) break;
    }
    return found;
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function sortProblems(problems: readonly RecipeProblem[]): RecipeProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
