/**
 * One adapter per backup tool. Each session gets its own repository and cache directory, so no
 * cache survives from one run to the next and the tools never see each other's state.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Cmd, measure, onPath, type Sample, sh, tail } from './measure.js';

/** Where one tool keeps its state while measuring one data set. */
export interface Session {
  /** Repository directory (the tool creates it). */
  readonly repo: string;
  /** Absolute path of the directory being backed up; the same path for every backup. */
  readonly src: string;
  /** Data set name, used as the VML entry name. */
  readonly dataset: string;
  /** Cache and config directory of the tool. */
  readonly home: string;
  /** Log file prefix directory. */
  readonly logs: string;
}

/** A backup tool under test. */
export interface Tool {
  readonly name: string;
  /** Why the tool cannot run on this machine, or undefined when it can. */
  unavailable(): string | undefined;
  version(): Promise<string>;
  init(s: Session): Promise<Sample>;
  /** The n-th backup (1-based); returns the name to restore it by. */
  backup(s: Session, n: number): Promise<{ sample: Sample; snapshot: string }>;
  /** Files a restore adds by design (relative to the restored root); the check ignores them. */
  readonly restoreExtras?: readonly string[];
  /** Restores `snapshot` into the empty directory `target`; returns where the source root landed. */
  restore(s: Session, snapshot: string, target: string): Promise<{ sample: Sample; root: string }>;
}

const cmd = (s: Session, step: string, file: string, args: string[], extra: Partial<Cmd> = {}): Cmd => ({
  file,
  args,
  log: join(s.logs, step),
  ...extra,
});

const firstLine = async (file: string, args: string[]): Promise<string> =>
  (await sh(file, args)).trim().split('\n')[0] ?? '';

/** restic with its defaults: encrypted, repository format 2, compression "auto". */
export const restic: Tool = {
  name: 'restic',
  unavailable: () => (onPath('restic') ? undefined : 'not on PATH (apt-get install -y restic)'),
  version: () => firstLine('restic', ['version']),
  init: (s) =>
    measure(cmd(s, 'init', 'restic', ['init', '--repo', s.repo, '--repository-version', '2'], resticEnv(s))),
  backup: async (s, n) => ({
    sample: await measure(
      cmd(s, `backup${n}`, 'restic', ['--repo', s.repo, 'backup', '--quiet', s.src], resticEnv(s)),
    ),
    snapshot: 'latest',
  }),
  restore: async (s, snapshot, target) => ({
    sample: await measure(
      cmd(s, 'restore', 'restic', ['--repo', s.repo, 'restore', snapshot, '--target', target], resticEnv(s)),
    ),
    // restic keeps the absolute source path inside the snapshot.
    root: join(target, s.src),
  }),
};

function resticEnv(s: Session): Partial<Cmd> {
  return { env: { RESTIC_PASSWORD: 'bench-throwaway', RESTIC_CACHE_DIR: join(s.home, 'cache') } };
}

function borgEnv(s: Session, cwd?: string): Partial<Cmd> {
  return {
    ...(cwd === undefined ? {} : { cwd }),
    env: {
      BORG_BASE_DIR: s.home,
      BORG_PASSPHRASE: '',
      BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
      BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
    },
  };
}

/** borg without encryption (like VML today) and zstd level 3, a common real-world setting. */
export const borg: Tool = {
  name: 'borg',
  unavailable: () => (onPath('borg') ? undefined : 'not on PATH (apt-get install -y borgbackup)'),
  version: () => firstLine('borg', ['--version']),
  init: (s) => measure(cmd(s, 'init', 'borg', ['init', '--encryption', 'none', s.repo], borgEnv(s))),
  backup: async (s, n) => ({
    // Run from inside the source with ".", so archives hold relative paths and extract lands in place.
    sample: await measure(
      cmd(
        s,
        `backup${n}`,
        'borg',
        ['create', '--compression', 'zstd,3', `${s.repo}::v${n}`, '.'],
        borgEnv(s, s.src),
      ),
    ),
    snapshot: `v${n}`,
  }),
  restore: async (s, snapshot, target) => ({
    sample: await measure(
      cmd(s, 'restore', 'borg', ['extract', `${s.repo}::${snapshot}`], borgEnv(s, target)),
    ),
    root: target,
  }),
};

/** The project root, seen from dist/bench/. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VML_CLI = join(ROOT, 'dist/agent/cli/main.js');

/** The sequence number in a VML backup summary, whichever field the CLI ends up using. */
function summarySeq(out: string): number | undefined {
  const lines = out.trim().split('\n').reverse();
  const line = lines.find((l) => l.startsWith('{') && /"type":\s*"[a-z-]*summary"/.test(l));
  if (line === undefined) return undefined;
  const summary = JSON.parse(line) as Record<string, unknown>;
  for (const key of ['seq', 'sequence', 'version', 'ref', 'spec']) {
    const value = summary[key];
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      const m = /(?:^|@)v?(\d+)$/.exec(value);
      if (m) return Number(m[1]);
    }
    if (typeof value === 'object' && value !== null && typeof (value as { seq?: unknown }).seq === 'number') {
      return (value as { seq: number }).seq;
    }
  }
  return undefined;
}

const vmlCmd = (s: Session, step: string, args: string[]): Cmd =>
  cmd(s, step, process.execPath, [VML_CLI, ...args], { env: { XDG_CACHE_HOME: join(s.home, 'cache') } });

/** VML's agent CLI from this checkout (dist/), with the full-root recipe. */
export const vml: Tool = {
  name: 'VML',
  // The restore report VML leaves in the restored root (agent/cli/commands/restore.ts).
  restoreExtras: ['var/lib/vml/last-restore.json'],
  unavailable: () =>
    existsSync(VML_CLI) ? undefined : `${VML_CLI} does not exist yet (run "npm run build")`,
  version: async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const commit = await sh('git', ['rev-parse', '--short', 'HEAD'], ROOT).catch(() => '?');
    return `vml ${pkg.version} (${commit.trim()}), node ${process.version}`;
  },
  init: (s) =>
    measure(
      vmlCmd(s, 'init', [
        'init',
        '--root',
        s.src,
        '--logbook',
        `dir:${s.repo}`,
        '--entry',
        entry(s),
        '--no-config',
      ]),
    ),
  backup: async (s, n) => {
    const args = ['backup', '--root', s.src, '--logbook', `dir:${s.repo}`, '--entry', entry(s)];
    const c = vmlCmd(s, `backup${n}`, [...args, '--recipe', 'full-root', '--json']);
    const sample = await measure(c);
    return { sample, snapshot: `${entry(s)}@v${summarySeq(tail(`${c.log}.out`)) ?? n}` };
  },
  restore: async (s, snapshot, target) => ({
    sample: await measure(
      vmlCmd(s, 'restore', [
        ...['restore', snapshot, '--root', target, '--logbook', `dir:${s.repo}`],
        ...['--recipe', 'full-root', '--json'],
      ]),
    ),
    root: target,
  }),
};

const entry = (s: Session): string => `bench/${s.dataset}`;

/** All tools, in the order of the report's columns. */
export const TOOLS: readonly Tool[] = [vml, restic, borg];
