/**
 * The `cvmfs` step: records the CernVM-FS client configuration and the revision of each configured
 * repository; restore writes the configuration back, probes the repositories and, with `pin`, pins each
 * one to the recorded revision where the server still has it. Capture and restore live in cvmfs/.
 */
import { z } from 'zod';
import { type CvmfsFacts, captureCvmfs } from './cvmfs/capture.js';
import { restoreCvmfs } from './cvmfs/restore.js';
import type { FactChange, FactStep } from './step.js';

/** Zod schema of the `cvmfs` step's `with` block. */
export const cvmfsStepSchema = z
  .object({
    probe: z
      .boolean()
      .default(false)
      .describe('Fetch the signed manifest of repositories that are not mounted, to record their revision'),
    pin: z
      .boolean()
      .default(false)
      .describe(
        'On restore, pin each repository to the recorded revision (CVMFS_ROOT_HASH) where it still exists',
      ),
  })
  .strict();

export type CvmfsWith = z.output<typeof cvmfsStepSchema>;
export type CvmfsWithInput = z.input<typeof cvmfsStepSchema>;

export const cvmfsStep: FactStep<CvmfsWith, CvmfsFacts, CvmfsWithInput> = {
  kind: 'cvmfs',
  heading: 'Record the CernVM-FS client configuration and the revision of each repository',
  phase: 'before-files',
  schema: cvmfsStepSchema,
  examples: [{}, { probe: true }, { probe: true, pin: true }],

  capture: (ctx) => captureCvmfs(ctx.root, { probe: ctx.with.probe, signal: ctx.signal }),

  restore: (ctx) =>
    restoreCvmfs({
      root: ctx.root,
      step: 'cvmfs',
      facts: ctx.facts,
      pin: ctx.with.pin,
      dryRun: ctx.dryRun,
      signal: ctx.signal,
    }),

  diff(before, after) {
    const out: FactChange[] = [];
    for (const r of after.repositories) {
      if (!before.repositories.includes(r)) out.push({ change: 'added', subject: `repository ${r}` });
    }
    for (const r of before.repositories) {
      if (!after.repositories.includes(r)) out.push({ change: 'removed', subject: `repository ${r}` });
    }
    for (const name of ['proxy', 'quota'] as const) {
      if (before[name] !== after[name]) {
        out.push({
          change: 'modified',
          subject: `setting ${name === 'proxy' ? 'CVMFS_HTTP_PROXY' : 'CVMFS_QUOTA_LIMIT'}`,
          detail: `${before[name] ?? '(unset)'} -> ${after[name] ?? '(unset)'}`,
        });
      }
    }
    const paths = [...new Set([...before.files, ...after.files].map((f) => f.path))].sort();
    for (const path of paths) {
      const a = before.files.find((f) => f.path === path);
      const b = after.files.find((f) => f.path === path);
      if (a?.text === b?.text) continue;
      out.push({
        change: a === undefined ? 'added' : b === undefined ? 'removed' : 'modified',
        subject: `file ${path}`,
      });
    }
    for (const b of after.states) {
      const a = before.states.find((s) => s.repository === b.repository);
      if (a?.revision !== undefined && b.revision !== undefined && a.revision !== b.revision) {
        out.push({
          change: 'modified',
          subject: `repository ${b.repository} revision`,
          detail: `${a.revision} -> ${b.revision}`,
        });
      }
    }
    return out;
  },

  describe(facts) {
    if (facts.repositories.length === 0) return ['no repositories configured (CVMFS_REPOSITORIES is empty)'];
    return facts.repositories.map((r) => {
      const s = facts.states.find((x) => x.repository === r);
      if (!s || s.revision === undefined)
        return `${r}: revision unknown${s?.message ? ` (${s.message})` : ''}`;
      const from = s.source === 'mount' ? 'mounted' : 'probed';
      return `${r}: revision ${s.revision}${s.rootHash ? `, root ${s.rootHash.slice(0, 12)}` : ''} (${from})`;
    });
  },
};
