/**
 * Extended attributes through the `attr` package's getfattr/setfattr: Node has no xattr API, and one
 * process per few hundred files costs far less than a native addon to build on every guest.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BATCH = 400;

function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') reject(error);
      else resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 });
    });
  });
}

let available: boolean | undefined;

/** Whether getfattr and setfattr can run here. */
export async function xattrToolsAvailable(): Promise<boolean> {
  if (available === undefined) {
    try {
      await run('getfattr', ['--version']);
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** getfattr escapes unusual bytes in names as \ooo octal. */
function unescapeName(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && /^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(s[i] as string));
    }
  }
  return Buffer.from(bytes).toString();
}

/** Reads all attributes (any namespace) of absolute paths, without following symlinks. */
export async function readXattrs(paths: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const result = new Map<string, Record<string, string>>();
  if (paths.length === 0 || !(await xattrToolsAvailable())) return result;
  for (let i = 0; i < paths.length; i += BATCH) {
    const batch = paths.slice(i, i + BATCH);
    const { stdout } = await run('getfattr', [
      '--absolute-names',
      '-h',
      '-d',
      '-m',
      '-',
      '-e',
      'base64',
      '--',
      ...batch,
    ]);
    let current: Record<string, string> | undefined;
    for (const line of stdout.split('\n')) {
      if (line.startsWith('# file: ')) {
        current = {};
        result.set(unescapeName(line.slice(8)), current);
      } else if (current && line.includes('=')) {
        const eq = line.indexOf('=');
        const value = line.slice(eq + 1);
        current[unescapeName(line.slice(0, eq))] = value.startsWith('0s') ? value.slice(2) : '';
      }
    }
  }
  for (const [path, attrs] of result) if (Object.keys(attrs).length === 0) result.delete(path);
  return result;
}

function escapeName(s: string): string {
  return [...Buffer.from(s)]
    .map((b) =>
      b <= 0x20 || b >= 0x7f || b === 0x5c || b === 0x3d
        ? `\\${b.toString(8).padStart(3, '0')}`
        : String.fromCharCode(b),
    )
    .join('');
}

/** Sets attributes on absolute paths in one setfattr run; returns setfattr's complaints, if any. */
export async function writeXattrs(
  items: ReadonlyMap<string, Readonly<Record<string, string>>>,
): Promise<string[]> {
  if (items.size === 0) return [];
  if (!(await xattrToolsAvailable()))
    return ['setfattr is not installed: extended attributes were not restored'];
  const lines: string[] = [];
  for (const [path, attrs] of items) {
    lines.push(`# file: ${escapeName(path)}`);
    for (const [name, value] of Object.entries(attrs)) lines.push(`${escapeName(name)}=0s${value}`);
    lines.push('');
  }
  const dir = await mkdtemp(join(tmpdir(), 'vml-xattr-'));
  try {
    const dump = join(dir, 'dump');
    await writeFile(dump, `${lines.join('\n')}\n`);
    const { stderr } = await run('setfattr', ['-h', `--restore=${dump}`]);
    return stderr.split('\n').filter((l) => l.trim() !== '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
