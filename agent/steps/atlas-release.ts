/**
 * The `atlas-release` step: which ATLAS release each work area under the owner's home is set up for, read
 * from the `.asetup.save` that `asetup` leaves there. Restore writes that file again for the restoring user
 * (it embeds absolute paths of the home), instead of copying the owner's file, and says when the release
 * itself is not reachable (CernVM-FS not mounted).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  type AsetupSave,
  asetupArguments,
  formatAsetupSave,
  parseAsetupSave,
  type ReleaseSummary,
  summarize,
} from './atlas/asetup-save.js';
import { expandHome, findPaths, SKIP_DIRS } from './atlas/find-paths.js';
import { expandTemplate, templateHome, templateHomePath } from './atlas/home-template.js';
import { chownTree, ownerIds } from './run-tool.js';
import type { FactChange, FactStep, RestoreProblem } from './step.js';

/** The file asetup saves its options in, at the top of a work area. */
export const ASETUP_SAVE = '.asetup.save';

const schema = z
  .object({
    areas: z
      .array(z.string().min(1))
      .default(['{home}/**'])
      .describe('Globs of directories that may be work areas; those holding a .asetup.save are recorded'),
    maxDepth: z
      .number()
      .int()
      .min(0)
      .max(12)
      .default(6)
      .describe('How many directory levels below each glob are searched for .asetup.save'),
  })
  .strict();

type ReleaseWith = z.output<typeof schema>;

/** One work area: where it is, its release, and the whole file with the home written as `{home}`. */
export interface ReleaseArea extends ReleaseSummary {
  /** Root-relative directory holding `.asetup.save`, the home written as `{home}`. */
  readonly path: string;
  /** What to give `asetup` to set the same release up again. */
  readonly asetup: string;
  readonly file: AsetupSave;
}

export interface ReleaseFacts {
  readonly areas: readonly ReleaseArea[];
}

export const atlasReleaseStep: FactStep<ReleaseWith, ReleaseFacts, z.input<typeof schema>> = {
  kind: 'atlas-release',
  heading: 'Record the ATLAS release of each work area and set it up again on restore',
  schema,
  examples: [{}, { areas: ['{home}/analysis/*', '{home}/athena-dev'], maxDepth: 2 }],
  phase: 'after-files',

  async capture(ctx) {
    const abs = `/${ctx.home}`;
    const files = await findPaths(
      ctx.root,
      ctx.with.areas.map((g) => `${g.replace(/\/+$/, '')}/${ASETUP_SAVE}`),
      { home: ctx.home, maxDepth: ctx.with.maxDepth + 1, skip: SKIP_DIRS, type: 'file' },
    );
    const areas: ReleaseArea[] = [];
    for (const file of files) {
      const parsed = parseAsetupSave(await readFile(join(ctx.root, file), 'utf8'));
      const save = mapValues(parsed, (v) => templateHome(v, abs));
      const summary = summarize(save);
      if (summary.release === 'latest') {
        ctx.output.emit({
          type: 'warning',
          path: file,
          message:
            'The nightly is set up as "latest" and the file records no build stamp: restore will set up whatever nightly is latest then',
        });
      }
      areas.push({
        path: templateHomePath(dirname(file), ctx.home),
        ...summary,
        asetup: asetupArguments(summary),
        file: save,
      });
    }
    return { areas };
  },

  async restore(ctx) {
    const abs = `/${ctx.home}`;
    const ids = ownerIds(ctx.accounts, ctx.entry.split('/')[0] as string, ctx.root);
    const actions: string[] = [];
    const problems: RestoreProblem[] = [];
    for (const area of ctx.facts.areas) {
      const dir = expandHome(area.path, ctx.home);
      const target = join(ctx.root, dir, ASETUP_SAVE);
      actions.push(`write /${dir}/${ASETUP_SAVE} for ${area.asetup} (paths of /${ctx.home})`);
      const base = area.variables.AtlasBaseDir ?? area.variables.ATLASBASEDIR;
      if (base?.startsWith('/') && !existsSync(join(ctx.root, expandTemplate(base, abs)))) {
        problems.push({
          step: 'atlas-release',
          kind: 'release',
          subject: `/${dir}`,
          message: `Release ${area.project ?? ''} ${area.release ?? ''} is not available here: "${expandTemplate(base, abs)}" is missing`,
          hint: `Mount CernVM-FS (vml-agent software list), then: cd /${dir} && asetup --restore`,
        });
      }
      if (ctx.dryRun) continue;
      await mkdir(dirname(target), { recursive: true });
      const temp = `${target}.vml-${process.pid}`;
      await writeFile(temp, formatAsetupSave(mapValues(area.file, (v) => expandTemplate(v, abs))), {
        mode: 0o644,
      });
      if (ids !== undefined) await chownTree(temp, ids);
      await rename(temp, target);
    }
    return { actions, problems };
  },

  diff(before, after) {
    const changes: FactChange[] = [];
    const old = new Map(before.areas.map((a) => [a.path, a]));
    const now = new Map(after.areas.map((a) => [a.path, a]));
    for (const path of [...new Set([...old.keys(), ...now.keys()])].sort()) {
      const a = old.get(path);
      const b = now.get(path);
      if (a === undefined && b !== undefined)
        changes.push({ change: 'added', subject: `work area ${path}`, detail: releaseLabel(b) });
      else if (b === undefined && a !== undefined)
        changes.push({ change: 'removed', subject: `work area ${path}`, detail: releaseLabel(a) });
      else if (a !== undefined && b !== undefined) changes.push(...areaChanges(path, a, b));
    }
    return changes;
  },

  describe(facts) {
    if (facts.areas.length === 0) return ['no ATLAS work area (no .asetup.save found)'];
    return facts.areas.map((a) => `${a.path}: ${releaseLabel(a)}`);
  },
};

function areaChanges(path: string, a: ReleaseArea, b: ReleaseArea): FactChange[] {
  const out: FactChange[] = [];
  if (releaseLabel(a) !== releaseLabel(b))
    out.push({
      change: 'modified',
      subject: `release of ${path}`,
      detail: `${releaseLabel(a)} -> ${releaseLabel(b)}`,
    });
  for (const name of [...new Set([...Object.keys(a.variables), ...Object.keys(b.variables)])].sort()) {
    const x = a.variables[name];
    const y = b.variables[name];
    if (x === y) continue;
    const change = x === undefined ? 'added' : y === undefined ? 'removed' : 'modified';
    out.push({
      change,
      subject: `variable ${name} of ${path}`,
      detail: `${x ?? '(unset)'} -> ${y ?? '(unset)'}`,
    });
  }
  if (out.length === 0 && formatAsetupSave(a.file) !== formatAsetupSave(b.file)) {
    out.push({ change: 'modified', subject: `asetup options of ${path}` });
  }
  return out;
}

/** `AnalysisBase 24.2.35 (x86_64-el9-gcc13-opt)`, `Athena main nightly 2024-05-21T2101 (…)`. */
/** `Athena 24.0.30 (x86_64-el9-gcc13-opt)`: how a work area's release is shown (show, diff, the web pages). */
export function releaseLabel(a: ReleaseSummary): string {
  const release = a.nightly ? `${a.branch ?? ''} nightly ${a.release ?? '?'}`.trim() : (a.release ?? '?');
  return `${a.project ?? 'unknown project'} ${release}${a.platform ? ` (${a.platform})` : ''}`;
}

function mapValues(save: AsetupSave, fn: (value: string) => string): AsetupSave {
  return {
    header: save.header,
    sections: save.sections.map((s) => ({
      name: s.name,
      entries: s.entries.map((e) => ({ key: e.key, value: fn(e.value) })),
    })),
  };
}
