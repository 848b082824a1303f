/** The `with` block of the `files` step: which files under the root a backup keeps. */
import { z } from 'zod';
import type { StepKind } from './step.js';

/** Prefix of an include or exclude glob that stands for the owner's home directory. */
export const HOME_PREFIX = '{home}/';

const SIZE_UNITS = {
  B: 1,
  K: 1024,
  KiB: 1024,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
  T: 1024 ** 4,
  TiB: 1024 ** 4,
  kB: 1000,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
} as const;

const SIZE_PATTERN = /^(\d+(?:\.\d+)?) ?([A-Za-z]*)$/;

/** Bytes in a size like "2GiB", "500 MB" or "1024"; undefined if the text is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2] === '' ? 'B' : match[2];
  if (unit === undefined || !Object.hasOwn(SIZE_UNITS, unit)) return undefined;
  return Math.floor(Number(match[1]) * SIZE_UNITS[unit as keyof typeof SIZE_UNITS]);
}

// Globs are matched against root-relative paths, so an absolute or escaping pattern would silently match
// nothing (or, worse, something outside the root on restore): reject them where the recipe is written.
function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'must not be empty';
  if (glob.startsWith('/')) return `must be relative to the root, like "${glob.replace(/^\/+/, '')}"`;
  if (glob.split('/').includes('..')) return 'must not contain ".." segments';
  const rest = glob.startsWith(HOME_PREFIX) ? glob.slice(HOME_PREFIX.length) : glob;
  if (rest.includes('{home}')) return `"{home}" is only allowed as the leading "${HOME_PREFIX}"`;
  return undefined;
}

const glob = z.string().superRefine((value, ctx) => {
  const problem = globProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
});

/** Zod schema of the `files` step's `with` block. */
export const filesStepSchema = z
  .object({
    include: z
      .array(glob)
      .min(1, { error: 'must list at least one glob' })
      .describe(
        `Globs relative to the root; a leading "${HOME_PREFIX}" expands to the owner's home directory`,
      ),
    exclude: z
      .array(glob)
      .optional()
      .describe('Globs of paths to leave out, even if an include matches them'),
    oneFileSystem: z
      .boolean()
      .default(false)
      .describe('Stay on the file system of each include root instead of crossing mount points'),
    maxFileSize: z
      .string()
      .refine((value) => parseByteSize(value) !== undefined, {
        error: 'expected a size like "2GiB", "500MB" or "1024"',
      })
      .optional()
      .describe('Skip (and report) files larger than this, like "2GiB"'),
  })
  .strict();

/** The validated `with` block of a `files` step, as the handlers receive it. */
export type FilesWith = z.output<typeof filesStepSchema>;

/** The `files` step as a recipe may write it (defaults not yet applied). */
export type FilesWithInput = z.input<typeof filesStepSchema>;

/** Metadata of the `files` step kind; the capture and restore handlers live in files.ts. */
export const filesStepKind: StepKind<FilesWith, FilesWithInput> = {
  kind: 'files',
  heading: 'Keep files and directories under the root, chosen by globs',
  schema: filesStepSchema,
  examples: [
    {
      include: ['{home}/**'],
      exclude: ['{home}/.cache/**', '**/__pycache__/**'],
      maxFileSize: '2GiB',
    },
    {
      include: ['etc/cvmfs/**', 'opt/analysis/**'],
      exclude: ['opt/analysis/build/**'],
      oneFileSystem: true,
    },
  ],
};
