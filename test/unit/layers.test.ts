/**
 * The dependency direction of DESIGN.md §4, checked on every source file: "agent, host → recipes,
 * sanitizers, logbook → core; nothing imports a CLI". Imports are read with TypeScript's own pre-processor
 * (static, `export … from`, `import type`, dynamic `import()`), resolved to a package (the first directory
 * of the repository path), and checked against MAY_IMPORT and the CLI rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');

const PACKAGES = ['core', 'logbook', 'sanitizers', 'recipes', 'agent', 'host'] as const;
type Package = (typeof PACKAGES)[number];

/**
 * Which packages each package may import. logbook, sanitizers and recipes are siblings on one layer and stay
 * independent of each other: what the server needs from the sanitizers or the agent's steps is injected
 * (logbook/server/content-scan.ts, version-insight.ts) and implemented in host/server/.
 */
const MAY_IMPORT: Readonly<Record<Package, readonly Package[]>> = {
  core: ['core'],
  logbook: ['core', 'logbook'],
  sanitizers: ['core', 'sanitizers'],
  recipes: ['core', 'recipes'],
  agent: ['core', 'logbook', 'sanitizers', 'recipes', 'agent'],
  host: ['core', 'logbook', 'sanitizers', 'recipes', 'agent', 'host'],
};

/**
 * Known exceptions to the CLI rule, each with its reason. The test fails when one no longer exists, so the
 * list cannot outlive the code it excuses.
 */
const CLI_EXCEPTIONS: readonly { from: string; to: string; why: string }[] = [
  {
    from: 'host/cli/main.ts',
    to: 'agent/cli/run.ts',
    why: 'vml runs its commands with the agent runner (same output, --json, exit codes); to move into core/cli/',
  },
];

/** Every .ts file under `dir`, repository-relative with "/" separators. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The relative import specifiers of a source text (packages from node_modules and node: are not ours). */
function importsOf(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith('.'));
}

/** The repository path a relative specifier of `file` names, with .js written as the .ts it compiles from. */
function target(file: string, specifier: string): string {
  const path = relative(REPO, resolve(REPO, dirname(file), specifier))
    .split(sep)
    .join('/');
  return path.replace(/\.js$/, '.ts');
}

function packageOf(path: string): string {
  return path.split('/')[0] ?? '';
}

/** `pkg/cli/` when `path` lies in a package's CLI, else undefined. */
function cliOf(path: string): string | undefined {
  const [pkg, dir] = path.split('/');
  return dir === 'cli' ? `${pkg}/cli/` : undefined;
}

/** Why `file` may not import `to`, or undefined when it may. */
function violation(file: string, to: string): string | undefined {
  const from = packageOf(file) as Package;
  const into = packageOf(to);
  if (!(PACKAGES as readonly string[]).includes(into)) return `${to} is outside the source packages`;
  if (!MAY_IMPORT[from].includes(into as Package)) return `${from}/ may not import ${into}/`;
  const cli = cliOf(to);
  if (cli !== undefined && !file.startsWith(cli)) {
    if (CLI_EXCEPTIONS.some((e) => e.from === file && e.to === to)) return undefined;
    return `only ${cli} may import ${cli} files`;
  }
  return undefined;
}

/** Every forbidden import of `file` (whose text is `source`), as "file -> target: why". */
function violationsOf(file: string, source: string): string[] {
  const out: string[] = [];
  for (const specifier of importsOf(source)) {
    const to = target(file, specifier);
    const why = violation(file, to);
    if (why !== undefined) out.push(`${file} -> ${to}: ${why}`);
  }
  return out;
}

describe('the dependency direction (DESIGN.md §4)', () => {
  const files = PACKAGES.flatMap((p) => (p === 'recipes' ? [] : sourceFiles(p)));

  it('every source file imports only what its layer may, and no other package imports a CLI', () => {
    const found = files.flatMap((f) => violationsOf(f, readFileSync(join(REPO, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('reads the files of every package that has code', () => {
    for (const p of ['core', 'logbook', 'sanitizers', 'agent', 'host']) {
      expect(files.filter((f) => packageOf(f) === p).length, p).toBeGreaterThan(0);
    }
  });

  it('each excused CLI import still exists', () => {
    for (const e of CLI_EXCEPTIONS) {
      const targets = importsOf(readFileSync(join(REPO, e.from), 'utf8')).map((s) => target(e.from, s));
      expect(targets, e.from).toContain(e.to);
    }
  });

  it('the check catches every form of import in the wrong direction', () => {
    const cases: [string, string, string][] = [
      ['core/x.ts', `import { Logbook } from '../logbook/logbook.js';`, 'core/ may not import logbook/'],
      ['logbook/server/view/x.ts', `import {\n  a,\n  b,\n} from '../../../agent/steps/facts.js';`, 'agent'],
      ['logbook/server/x.ts', `import type { Finding } from '../../sanitizers/sanitizer.js';`, 'sanitizers'],
      ['sanitizers/x.ts', `export { a } from '../host/server/scan.js';`, 'host'],
      ['logbook/x.ts', `const m = await import('../agent/steps/registry.js');`, 'agent'],
      ['agent/x.ts', `import '../host/cli/main.js';`, 'host'],
      ['agent/steps/x.ts', `import { HUMAN } from '../cli/human.js';`, 'only agent/cli/ may import'],
      ['host/server/x.ts', `import { runWithOutput } from '../../agent/cli/run.js';`, 'only agent/cli/'],
    ];
    for (const [file, source, why] of cases) {
      const found = violationsOf(file, source);
      expect(found, `${file}: ${source}`).toHaveLength(1);
      expect(found[0]).toContain(why);
    }
  });

  it('the check lets the allowed directions through', () => {
    const allowed: [string, string][] = [
      ['agent/steps/x.ts', `import { Logbook } from '../../logbook/logbook.js';`],
      ['host/server/x.ts', `import { stepKind } from '../../agent/steps/registry.js';`],
      ['agent/cli/commands/x.ts', `import { HUMAN } from '../human.js';`],
      [
        'logbook/server/x.ts',
        `import { VmlError } from '../../core/errors.js';\nimport Fastify from 'fastify';`,
      ],
      ['host/cli/main.ts', `import { runWithOutput } from '../../agent/cli/run.js';`],
    ];
    for (const [file, source] of allowed) expect(violationsOf(file, source), file).toEqual([]);
  });
});
