/**
 * Which root-relative paths a recipe's `files` steps cover. A path is in scope when some step includes it
 * (or one of its parent directories) and that step does not exclude it. Backup keeps exactly the paths in
 * scope; restore removes live files only when they are in scope.
 */
import picomatch from 'picomatch';
import { type FilesWith, HOME_PREFIX, parseByteSize } from '../files-schema.js';

type Matcher = (path: string) => boolean;

interface Rule {
  readonly includes: readonly { readonly segments: readonly string[]; readonly full: Matcher }[];
  readonly exclude: Matcher;
  readonly oneFileSystem: boolean;
  readonly maxFileSize: number | undefined;
}

const GLOB_OPTIONS = { dot: true } as const;

/** Expands `{home}/` and compiles one step's globs. Patterns without "/" match a name at any depth. */
function compileRule(w: FilesWith, home: string): Rule {
  const expand = (g: string) => (g.startsWith(HOME_PREFIX) ? `${home}/${g.slice(HOME_PREFIX.length)}` : g);
  const includes = w.include.map((g) => {
    const glob = expand(g).replace(/\/+$/, '');
    return { segments: glob.split('/'), full: picomatch(glob, GLOB_OPTIONS) };
  });
  const excludes = (w.exclude ?? []).map((g) => {
    const glob = expand(g).replace(/\/+$/, '');
    return picomatch(glob, { ...GLOB_OPTIONS, basename: !glob.includes('/') });
  });
  return {
    includes,
    exclude: (p) => excludes.some((m) => m(p)),
    oneFileSystem: w.oneFileSystem,
    maxFileSize: w.maxFileSize === undefined ? undefined : parseByteSize(w.maxFileSize),
  };
}

/** The verdict for one path. `whole` means everything below it is included too (unless excluded). */
export interface Verdict {
  /** The path itself is kept. */
  readonly keep: boolean;
  /** A directory must be descended into (it may hold kept paths even when not kept itself). */
  readonly descend: boolean;
}

export class Scope {
  readonly #rules: readonly Rule[];
  readonly #excludedPaths: ReadonlySet<string>;

  /**
   * `excludedPaths` are exact root-relative paths left out whatever the globs say: files a fact step keeps
   * its own way (credentials sealed in the vault) and that must not also be stored in plain text.
   */
  constructor(steps: readonly FilesWith[], home: string, excludedPaths: ReadonlySet<string> = new Set()) {
    this.#rules = steps.map((w) => compileRule(w, home.replace(/^\/+|\/+$/g, '')));
    this.#excludedPaths = excludedPaths;
  }

  /** Whether any step asks to stay on one file system. */
  get oneFileSystem(): boolean {
    return this.#rules.some((r) => r.oneFileSystem);
  }

  /** The smallest size limit of the steps, if any. */
  get maxFileSize(): number | undefined {
    const limits = this.#rules.map((r) => r.maxFileSize).filter((n): n is number => n !== undefined);
    return limits.length > 0 ? Math.min(...limits) : undefined;
  }

  /** Decides for a root-relative path; `insideKept` says a parent directory was kept as a whole. */
  judge(path: string, isDir: boolean, insideKept: readonly boolean[]): Verdict {
    if (this.#excludedPaths.has(path)) return { keep: false, descend: false };
    let keep = false;
    let descend = false;
    this.#rules.forEach((rule, i) => {
      if (rule.exclude(path)) return;
      if (insideKept[i] || rule.includes.some((inc) => inc.full(path))) {
        keep = true;
        descend ||= isDir;
      } else if (isDir && rule.includes.some((inc) => mayContain(path.split('/'), inc.segments))) {
        descend = true;
      }
    });
    return { keep, descend };
  }

  /** Per-rule flags for the children of a directory: which rules keep it as a whole. */
  keptBy(path: string, insideKept: readonly boolean[]): boolean[] {
    return this.#rules.map(
      (rule, i) =>
        !rule.exclude(path) && (insideKept[i] === true || rule.includes.some((inc) => inc.full(path))),
    );
  }

  /** Flags for the root directory itself. */
  rootFlags(): boolean[] {
    return this.#rules.map(() => false);
  }
}

/** Whether a directory (as segments) is a prefix of what a glob can match, so it must be walked. */
function mayContain(dir: readonly string[], glob: readonly string[]): boolean {
  for (let i = 0; i < dir.length; i++) {
    const g = glob[i];
    if (g === undefined) return false;
    if (g === '**') return true;
    if (!picomatch.isMatch(dir[i] as string, g, GLOB_OPTIONS)) return false;
  }
  return dir.length < glob.length;
}
