/**
 * Running commands under measurement: wall time from Node, user/sys CPU and peak RSS from GNU time
 * (which sees the child's whole waited-for process tree), plus small helpers for du and PATH lookups.
 */
import { execFile, spawn } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const GNU_TIME = '/usr/bin/time';

/** One measured command. NaN where GNU time was not available. */
export interface Sample {
  readonly wall: number;
  readonly user: number;
  readonly sys: number;
  readonly maxRssMiB: number;
}

/** A command to run: stdout and stderr go to `${log}.out` and `${log}.err`. */
export interface Cmd {
  readonly file: string;
  readonly args: readonly string[];
  readonly log: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** The full path of `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined;
}

/** True when GNU time is installed (Debian package "time"); without it only wall time is measured. */
export const haveGnuTime = ((): boolean => {
  try {
    accessSync(GNU_TIME, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/** The last `bytes` of a file as text ("" if missing); enough to find a summary line or an error. */
export function tail(path: string, bytes = 64 * 1024): string {
  try {
    const all = readFileSync(path);
    return all.subarray(Math.max(0, all.length - bytes)).toString('utf8');
  } catch {
    return '';
  }
}

/** Runs `cmd` to completion under GNU time; throws with the stderr tail when it fails. */
export async function measure(cmd: Cmd): Promise<Sample> {
  const timeFile = `${cmd.log}.time`;
  const [file, args] = haveGnuTime
    ? [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd.file, ...cmd.args]]
    : [cmd.file, [...cmd.args]];
  const out = openSync(`${cmd.log}.out`, 'w');
  const err = openSync(`${cmd.log}.err`, 'w');
  const started = performance.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: cmd.cwd,
      env: { ...process.env, ...cmd.env },
      stdio: ['ignore', out, err],
    });
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  }).finally(() => {
    closeSync(out);
    closeSync(err);
  });
  const wall = (performance.now() - started) / 1000;
  if (code !== 0) {
    const why = tail(`${cmd.log}.err`, 2000).trim() || tail(`${cmd.log}.out`, 2000).trim();
    throw new Error(`"${cmd.file} ${cmd.args.join(' ')}" exited with ${code}:\n${why}`);
  }
  if (!haveGnuTime) return { wall, user: Number.NaN, sys: Number.NaN, maxRssMiB: Number.NaN };
  // GNU time prefixes a status line when the command fails; the figures are always on the last line.
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  const [, user, sys, rssKiB] = last.split(' ').map(Number);
  rmSync(timeFile, { force: true });
  return { wall, user: user ?? Number.NaN, sys: sys ?? Number.NaN, maxRssMiB: (rssKiB ?? Number.NaN) / 1024 };
}

/** Runs a helper command (cp, rm, diff) without measuring it; throws on failure. */
export async function sh(file: string, args: readonly string[], cwd?: string): Promise<string> {
  const { stdout } = await execFileP(file, [...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Apparent size of a directory in bytes (`du -sb`), as the brief's repository-size measure. */
export async function duBytes(path: string): Promise<number> {
  return Number((await sh('du', ['-sb', path])).split('\t')[0]);
}

/** Total size of the regular files under `dir` (what a restore has to write; directories not counted). */
export function fileBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = lstatSync(join(dir, name));
    if (st.isFile()) total += st.size;
  }
  return total;
}
