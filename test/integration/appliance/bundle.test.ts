/**
 * The appliance bundle (appliance/build-bundle.ts → one vml-agent.mjs plus its two workers), installed with
 * install.sh into a fresh tree and run through the /usr/bin/vml-agent wrapper: a backup and a restore of a
 * phony guest come out identical, with both worker threads started from the installed directory (Node's
 * NODE_DEBUG=worker says which file each worker runs; a missing encode worker would be silently replaced by
 * the main thread, so only this shows it works). About 3 s.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGuestRoot, REPO_ROOT, treeSnapshot } from '../helpers/cli.js';

let dir: string;
let dest: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-bundle-'));
  dest = join(dir, 'install');
  const bundle = join(dir, 'bundle');
  execFileSync(process.execPath, [join(REPO_ROOT, 'appliance/build-bundle.ts'), bundle], { stdio: 'pipe' });
  execFileSync(join(REPO_ROOT, 'appliance/install.sh'), [dest, '--bundle', bundle], { stdio: 'pipe' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the installed /usr/bin/vml-agent wrapper on this Node, pointed at the installed /usr/libexec/vml. */
function installed(args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(join(dest, 'usr/bin/vml-agent'), args, {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      VML_NODE: process.execPath,
      VML_LIBEXEC: join(dest, 'usr/libexec/vml'),
      ...extraEnv,
    },
  });
}

describe('bundled agent', () => {
  it('is one file with a shebang', async () => {
    const text = await readFile(join(dest, 'usr/libexec/vml/vml-agent.mjs'), 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).not.toMatch(/(?:from|import)\s*\(?\s*['"]\.{1,2}\//); // no relative imports left
    expect(installed(['--version']).stdout).toBe('0.1.0\n');
  });

  it('backs up and restores a guest with its worker threads, and finds its shipped recipes', async () => {
    const root = await makeGuestRoot(join(dir, 'root'), {
      'home/alice/big/events.root': randomBytes(12 * 1024 * 1024),
      'home/alice/notes.txt': 'hello\n',
    });
    const lb = `dir:${join(dir, 'lb')}`;
    expect(installed(['init', '--root', root, '--logbook', lb, '--entry', 'alice/a']).status).toBe(0);
    const backup = installed(['backup', '--root', root, '--json'], { NODE_DEBUG: 'worker' });
    expect(backup.status).toBe(0);
    const libexec = `file://${join(dest, 'usr/libexec/vml')}`;
    expect(backup.stderr).toContain(`url: ${libexec}/chunk-worker.js`);
    expect(backup.stderr).toContain(`url: ${libexec}/encode-worker.js`);
    expect(backup.stdout).toContain('"recipe":"home"');
    const target = await makeGuestRoot(join(dir, 'target'));
    const restore = installed(['restore', 'alice/a@v1', '--root', target, '--logbook', lb, '--json']);
    expect(restore.status).toBe(0);
    expect(await treeSnapshot(join(target, 'home/alice'))).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );
  });
});
