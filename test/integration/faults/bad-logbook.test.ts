/**
 * A --logbook that is not (or not yet) a usable logbook: each command exits 10 (no logbook) or 1 (newer
 * format) with a message and a hint that fit the case, writes nothing into a location it does not
 * recognise, and prints no stack trace.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentResult,
  at,
  makeGuestRoot,
  runAgent,
  stackLines,
  treeSnapshot,
  writeFiles,
} from '../helpers/cli.js';

let T: string;
let root: string;
let n = 0;

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-badlb-'));
  root = await makeGuestRoot(join(T, 'root'), { 'home/alice/a.txt': 'a\n' });
});

afterAll(async () => {
  if (T) await rm(T, { recursive: true, force: true });
});

const place = () => join(T, `lb-${n++}`);

async function agent(command: string, lb: string, extra: string[] = []): Promise<AgentResult> {
  const r = await runAgent([command, ...at(root, lb), '--entry', 'alice/test', ...extra]);
  expect(stackLines(r.stderr), r.stderr).toEqual([]);
  expect(r.stdout).toBe(''); // no result printed for a failed command
  return r;
}

/** A working logbook with one version, made by the CLI. */
async function realLogbook(): Promise<string> {
  const lb = place();
  expect((await runAgent(['init', ...at(root, lb), '--no-config'])).code).toBe(0);
  expect((await runAgent(['backup', ...at(root, lb), '--entry', 'alice/test'])).code).toBe(0);
  return lb;
}

describe('a --logbook that is not a logbook', () => {
  it('a foreign non-empty directory: backup, log, check and gc exit 10, init refuses, nothing is written', async () => {
    const lb = place();
    await writeFiles(lb, { 'photos/cat.jpg': 'jpeg', 'notes.txt': 'mine\n' });
    const before = await treeSnapshot(lb);
    const commands = ['backup', 'log', 'check', 'gc'];
    const results = await Promise.all(commands.map((command) => agent(command, lb)));
    for (const [i, r] of results.entries()) {
      const command = commands[i];
      expect(r.code, `${command}: ${r.stderr}`).toBe(10);
      expect(r.stderr).toContain(
        `error: Cannot open logbook "dir:${lb}": the directory is not empty but has no logbook config file`,
      );
      // Not "run init": init refuses this directory.
      expect(r.stderr).toContain(
        'hint: Check the --logbook location; "vml-agent init" creates a logbook only in an empty or new directory',
      );
    }
    const init = await agent('init', lb, ['--no-config']);
    expect(init.code).toBe(10);
    expect(init.stderr).toContain(
      `error: Cannot create a logbook in "${lb}": the directory is not empty and holds no logbook`,
    );
    expect(init.stderr).toContain('hint: Choose an empty or new directory');
    expect(await treeSnapshot(lb)).toEqual(before);
  });

  it('under --json the error is one exit_error object on stderr', async () => {
    const lb = place();
    await writeFiles(lb, { 'notes.txt': 'mine\n' });
    const r = await agent('backup', lb, ['--json']);
    expect(r.code).toBe(10);
    expect(r.error).toMatchObject({ type: 'exit_error', code: 10, error: 'E_LOGBOOK_FOREIGN' });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an empty directory: exit 10 and the hint says to run init, which then works', async () => {
    const lb = place();
    await mkdir(lb);
    const r = await agent('backup', lb);
    expect(r.code).toBe(10);
    expect(r.stderr).toContain(`error: Cannot open logbook "dir:${lb}": there is no logbook there`);
    expect(r.stderr).toContain(`hint: Run "vml-agent init --logbook dir:${lb}" to create one`);
    expect(await treeSnapshot(lb)).toEqual([]);
    expect((await runAgent(['init', ...at(root, lb), '--no-config'])).code).toBe(0);
    expect((await runAgent(['backup', ...at(root, lb), '--entry', 'alice/test'])).code).toBe(0);
  });

  it('a missing directory: exit 10, the hint says to run init, and the directory is not created', async () => {
    const lb = place();
    const commands = ['backup', 'log', 'check', 'gc'];
    const results = await Promise.all(commands.map((command) => agent(command, lb)));
    for (const [i, r] of results.entries()) {
      const command = commands[i];
      expect(r.code, command).toBe(10);
      expect(r.stderr).toContain(`error: Cannot open logbook "dir:${lb}": there is no logbook there`);
      expect(r.stderr).toContain('hint: Run "vml-agent init');
    }
    await expect(readFile(lb)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a plain file: exit 10 saying it is not a directory; init refuses too', async () => {
    const lb = place();
    await writeFile(lb, 'not a directory\n');
    const r = await agent('backup', lb);
    expect(r.code).toBe(10);
    expect(r.stderr).toContain(`error: Cannot open logbook "dir:${lb}": it is a file, not a directory`);
    const init = await agent('init', lb, ['--no-config']);
    expect(init.code).toBe(10);
    expect(init.stderr).toContain('it is a file, not a directory');
    expect(await readFile(lb, 'utf8')).toBe('not a directory\n');
  });

  it('a logbook whose config says format 99: exit 1, the message says a newer VML wrote it, nothing changes', async () => {
    const lb = await realLogbook();
    const config = JSON.parse(await readFile(join(lb, 'config'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(lb, 'config'), JSON.stringify({ ...config, format: 99 }));
    const before = await treeSnapshot(lb);
    const commands = ['backup', 'log', 'check', 'gc', 'init'];
    const results = await Promise.all(
      commands.map((command) => agent(command, lb, command === 'init' ? ['--no-config'] : [])),
    );
    for (const [i, r] of results.entries()) {
      const command = commands[i];
      expect(r.code, `${command}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(
        `error: Cannot open logbook "dir:${lb}": a newer VML wrote it (format 99, this VML reads up to 1)`,
      );
      expect(r.stderr).toContain('hint: Upgrade vml-agent');
    }
    expect(await treeSnapshot(lb)).toEqual(before);
  });

  it('a config of garbage JSON: exit 10 (not a VML logbook) for every command, and init does not overwrite it', async () => {
    const lb = await realLogbook();
    await writeFile(join(lb, 'config'), '{"magic": "vml-logbook", "format": 1,,, garbage');
    const before = await treeSnapshot(lb);
    const commands = ['backup', 'log', 'check', 'gc', 'init'];
    const results = await Promise.all(
      commands.map((command) => agent(command, lb, command === 'init' ? ['--no-config'] : [])),
    );
    for (const [i, r] of results.entries()) {
      const command = commands[i];
      expect(r.code, `${command}: ${r.stderr}`).toBe(10);
      expect(r.stderr).toContain(
        `error: Cannot open logbook "dir:${lb}": its config file is not a VML logbook config`,
      );
      expect(r.stderr).toContain('hint: Check the --logbook location');
    }
    expect(await treeSnapshot(lb)).toEqual(before);
  });

  it('a logbook whose config file was deleted: exit 10 naming the missing config, not "run init"', async () => {
    const lb = await realLogbook();
    await rm(join(lb, 'config'));
    const r = await agent('log', lb);
    expect(r.code).toBe(10);
    expect(r.stderr).toContain('has no logbook config file');
    expect(r.stderr).not.toContain('Run "vml-agent init');
  });
});
