/**
 * The `datasets` step: files fetched with `rucio download` are recorded as Rucio DIDs with size and
 * Adler-32, never stored (recipes exclude the download directories from `files`): the grid keeps them.
 * Restore checks which are already there and lists the `rucio download` commands for the others; with
 * `--fetch-datasets` it runs them as the owner when `rucio` is on PATH, then checks the checksums.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { adler32OfFile } from './atlas/adler32.js';
import { expandHome, findPaths } from './atlas/find-paths.js';
import { templateHomePath } from './atlas/home-template.js';
import { classifyFolder, isPartialDownload } from './atlas/rucio-names.js';
import { findOnPath } from './atlas/which.js';
import { firstLine, ownerIds, runTool } from './run-tool.js';
import type { FactChange, FactStep, RestoreContext, RestoreProblem } from './step.js';

const schema = z
  .object({
    dirs: z
      .array(z.string().min(1))
      .min(1, { error: 'must name at least one download directory or glob' })
      .describe('Directories that `rucio download --dir` wrote into, or globs of them, like "{home}/data"'),
  })
  .strict();

type DatasetsWith = z.output<typeof schema>;

export interface DatasetFile {
  readonly name: string;
  readonly size: number;
  /** Rucio's checksum: 8 lowercase hex digits. */
  readonly adler32: string;
}

/** One folder of a download directory: a dataset, or a scope holding file DIDs. */
export interface DownloadedDids {
  /** The download directory, root-relative, the home written as `{home}`. */
  readonly dir: string;
  /** The folder below it: the dataset name or the scope. */
  readonly folder: string;
  readonly layout: 'dataset' | 'scope';
  /** What to give `rucio download`: the dataset DID, or every file's DID. */
  readonly dids: readonly string[];
  readonly files: readonly DatasetFile[];
}

export interface DatasetsFacts {
  readonly downloads: readonly DownloadedDids[];
}

export const datasetsStep: FactStep<DatasetsWith, DatasetsFacts> = {
  kind: 'datasets',
  heading: 'Record files downloaded with rucio as DIDs with checksums, and fetch them again on restore',
  schema,
  examples: [{ dirs: ['{home}/data'] }, { dirs: ['{home}/*/run/downloads', 'data/rucio'] }],
  phase: 'after-files',

  async capture(ctx) {
    const downloads: DownloadedDids[] = [];
    for (const dir of await findPaths(ctx.root, ctx.with.dirs, { home: ctx.home })) {
      for (const folder of await subdirectories(join(ctx.root, dir))) {
        const kind = classifyFolder(folder);
        const files: DatasetFile[] = [];
        for (const name of await fileNames(join(ctx.root, dir, folder))) {
          const path = join(ctx.root, dir, folder, name);
          ctx.output.debug(`adler32 of ${dir}/${folder}/${name}`);
          files.push({ name, size: (await stat(path)).size, adler32: await adler32OfFile(path, ctx.signal) });
        }
        if (files.length === 0) continue;
        const dids =
          kind.layout === 'dataset'
            ? [`${kind.scope}:${folder}`]
            : files.map((f) => `${kind.scope}:${f.name}`);
        downloads.push({ dir: templateHomePath(dir, ctx.home), folder, layout: kind.layout, dids, files });
      }
    }
    return { downloads };
  },

  async restore(ctx) {
    const actions: string[] = [];
    const problems: RestoreProblem[] = [];
    const rucio = ctx.fetchDatasets ? findOnPath('rucio') : undefined;
    for (const download of ctx.facts.downloads) {
      let missing = await missingFiles(ctx, download);
      const command = rucioCommand(download, ctx.home);
      if (missing.length === 0) {
        actions.push(`${label(download)}: all ${download.files.length} files present`);
        continue;
      }
      if (ctx.fetchDatasets && rucio !== undefined) {
        actions.push(`run: ${command.join(' ')}`);
        if (ctx.dryRun) continue;
        // The same command, with the download directory as this machine sees it (under --root).
        const here = [
          'download',
          '--dir',
          join(ctx.root, expandHome(download.dir, ctx.home)),
          ...download.dids,
        ];
        const result = await runTool(rucio, here, {
          user: ownerIds(ctx.accounts, ctx.entry.split('/')[0] as string, ctx.root),
          timeoutMs: 24 * 3600_000,
          signal: ctx.signal,
        }).catch((error: Error) => ({ code: 1, stderr: error.message }));
        missing = await missingFiles(ctx, download);
        if (missing.length === 0) continue;
        const why =
          result.code === 0
            ? 'rucio download ended without error, but'
            : `rucio download failed ("${firstLine(result.stderr)}"):`;
        problems.push(problem(download, missing, command, why));
        continue;
      }
      const reason = ctx.fetchDatasets ? 'rucio is not on PATH:' : undefined;
      problems.push(problem(download, missing, command, reason));
    }
    return { actions, problems };
  },

  diff(before, after) {
    const changes: FactChange[] = [];
    const key = (d: DownloadedDids) => `${d.dir}/${d.folder}`;
    const old = new Map(before.downloads.map((d) => [key(d), d]));
    const now = new Map(after.downloads.map((d) => [key(d), d]));
    for (const k of [...new Set([...old.keys(), ...now.keys()])].sort()) {
      const a = old.get(k);
      const b = now.get(k);
      if (a === undefined || b === undefined) {
        const d = (a ?? b) as DownloadedDids;
        changes.push({ change: a === undefined ? 'added' : 'removed', subject: label(d), detail: totals(d) });
      } else if (JSON.stringify(a.files) !== JSON.stringify(b.files)) {
        changes.push({ change: 'modified', subject: label(a), detail: `${totals(a)} -> ${totals(b)}` });
      }
    }
    return changes;
  },

  describe(facts) {
    if (facts.downloads.length === 0) return ['no rucio downloads found'];
    return facts.downloads.map((d) => `${label(d)} in ${d.dir}: ${totals(d)}`);
  },
};

/** The command that brings `download` back, as the owner would type it in the guest. */
export function rucioCommand(download: DownloadedDids, home: string): string[] {
  return ['rucio', 'download', '--dir', `/${expandHome(download.dir, home)}`, ...download.dids];
}

/** Recorded files that are absent or differ (size, then Adler-32) under the root. */
async function missingFiles(
  ctx: RestoreContext<DatasetsWith, DatasetsFacts>,
  d: DownloadedDids,
): Promise<DatasetFile[]> {
  const missing: DatasetFile[] = [];
  for (const file of d.files) {
    const path = join(ctx.root, expandHome(d.dir, ctx.home), d.folder, file.name);
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : -1),
      () => -1,
    );
    if (size !== file.size || (await adler32OfFile(path, ctx.signal)) !== file.adler32) missing.push(file);
  }
  return missing;
}

function problem(
  d: DownloadedDids,
  missing: readonly DatasetFile[],
  command: string[],
  reason?: string,
): RestoreProblem {
  const bytes = missing.reduce((sum, f) => sum + f.size, 0);
  const what = `${missing.length} of ${d.files.length} files (${bytes} bytes) of ${label(d)} are not here`;
  return {
    step: 'datasets',
    kind: 'dataset',
    subject: d.dids.length === 1 ? (d.dids[0] as string) : `${d.folder} (${d.dids.length} DIDs)`,
    message: reason === undefined ? capitalize(what) : `${capitalize(reason)} ${what}`,
    hint: command.join(' '),
  };
}

function label(d: DownloadedDids): string {
  return d.layout === 'dataset' ? `dataset ${d.dids[0]}` : `scope ${d.folder} (${d.dids.length} file DIDs)`;
}

function totals(d: DownloadedDids): string {
  return `${d.files.length} files, ${d.files.reduce((sum, f) => sum + f.size, 0)} bytes`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function subdirectories(dir: string): Promise<string[]> {
  return (await entries(dir)).filter((e) => e.isDirectory() && !isPartialDownload(e.name)).map((e) => e.name);
}

async function fileNames(dir: string): Promise<string[]> {
  return (await entries(dir)).filter((e) => e.isFile() && !isPartialDownload(e.name)).map((e) => e.name);
}

async function entries(dir: string): Promise<Dirent[]> {
  const list = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  return list.sort((a, b) => (a.name < b.name ? -1 : 1));
}
