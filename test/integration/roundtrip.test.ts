/**
 * The built vml-agent on a phony guest root: backup, change, backup, log, diff, restore into a scratch
 * root and into the live root (with its safety version), and every kind of file metadata on the way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from './helpers/cli.js';

/** path → "type mode size sha256|target mtime(µs)" for every path under dir. */
async function snapshot(dir: string, rel = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const abs = join(dir, path);
    const s = await lstat(abs, { bigint: true });
    const mtime = (s.mtimeNs / 1000n).toString();
    if (s.isDirectory()) {
      out.set(path, `dir ${(s.mode & 0o7777n).toString(8)} ${mtime}`);
      for (const [k, v] of await snapshot(dir, path)) out.set(k, v);
    } else if (s.isSymbolicLink()) {
      out.set(path, `symlink ${await readlink(abs)}`);
    } else {
      const hash = createHash('sha256')
        .update(await readFile(abs))
        .digest('hex');
      out.set(path, `file ${(s.mode & 0o7777n).toString(8)} ${s.size} ${hash} ${mtime}`);
    }
  }
  return out;
}

const hasXattrTools = spawnSync('getfattr', ['--version']).status === 0;

describe('backup and restore of a guest root', async () => {
  let dir: string;
  let root: string;
  let lb: string;
  const common = () => ['--root', root, '--logbook', `dir:${lb}`, '--entry', 'alice/higgs-ww'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vml-roundtrip-'));
    root = join(dir, 'root');
    lb = join(dir, 'logbook');
    const home = join(root, 'home/alice');
    await mkdir(join(home, 'src/deep/er'), { recursive: true });
    await mkdir(join(home, '.cache'), { recursive: true });
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc/passwd'), 'alice:x:1000:1000::/home/alice:/bin/bash\n');
    await writeFile(join(root, 'etc/group'), 'alice:x:1000:\n');
    await writeFile(join(home, 'src/a.cxx'), 'int main() { return 0; }\n');
    await writeFile(join(home, 'src/deep/er/b.py'), 'print("hi")\n'.repeat(1000));
    await writeFile(
      join(home, 'big.bin'),
      createHash('sha512').update('x').digest().toString('hex').repeat(40000),
    );
    await writeFile(join(home, '.cache/junk'), 'cache');
    await writeFile(join(home, 'script.sh'), '#!/bin/sh\n');
    await chmod(join(home, 'script.sh'), 0o750);
    await symlink('src/a.cxx', join(home, 'link-to-a'));
    await symlink('/etc/passwd', join(home, 'absolute-link'));
    await link(join(home, 'src/a.cxx'), join(home, 'hardlink-to-a'));
    await writeFile(join(home, 'sparse.img'), 'head');
    await truncate(join(home, 'sparse.img'), 8 * 1024 * 1024);
    await mkdir(join(home, 'empty'));
    await utimes(
      join(home, 'src/a.cxx'),
      new Date('2026-01-02T03:04:05.123Z'),
      new Date('2026-01-02T03:04:05.123Z'),
    );
    if (hasXattrTools)
      execFileSync('setfattr', ['-n', 'user.vml.test', '-v', 'hello', join(home, 'script.sh')]);
    expect((await runAgent(['init', ...common(), '--no-config'])).code).toBe(0);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('backup creates v1 without the recipe exclusions and reports what it read', async () => {
    const r = await runAgent(['backup', ...common(), '--json', '-m', 'first']);
    expect(r.code, r.stderr).toBe(0);
    const summary = r.events.find((e) => e.type === 'backup-summary');
    expect(summary).toMatchObject({ entry: 'alice/higgs-ww', seq: 1 });
    expect(summary?.filesRead).toBe(summary?.files);
    const restoreDir = join(dir, 'v1');
    expect(
      (await runAgent(['restore', 'alice/higgs-ww@v1', ...common().slice(2), '--root', restoreDir])).code,
    ).toBe(0);
    expect(existsSync(join(restoreDir, 'home/alice/.cache'))).toBe(false);
    expect(existsSync(join(restoreDir, 'home/alice/src/a.cxx'))).toBe(true);
  });

  it('the logbook is readable by its owner only, whatever the umask', async () => {
    for (const sub of ['', 'data', 'snapshots', 'index']) {
      const names = sub === '' ? [''] : await readdir(join(lb, sub));
      for (const name of names) {
        const s = await lstat(join(lb, sub, name));
        expect(s.mode & 0o077, join(sub, name)).toBe(0);
      }
    }
  });

  it('a second backup without changes reads no file and adds almost nothing', async () => {
    const r = await runAgent(['backup', ...common(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = r.events.find((e) => e.type === 'backup-summary');
    expect(summary).toMatchObject({ seq: 2, filesRead: 0, bytesRead: 0 });
    expect(Number(summary?.bytesAdded)).toBeLessThan(4096);
  });

  it('restore into an empty root reproduces contents, modes, links, hard links, holes, xattrs and mtimes', async () => {
    const target = join(dir, 'scratch');
    const r = await runAgent([
      'restore',
      'alice/higgs-ww@v2',
      '--root',
      target,
      '--logbook',
      `dir:${lb}`,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const home = (d: string) => join(d, 'home/alice');
    const before = await snapshot(home(root));
    before.delete('.cache');
    before.delete('.cache/junk');
    expect(await snapshot(home(target))).toEqual(before);
    const a = await lstat(join(home(target), 'src/a.cxx'));
    const b = await lstat(join(home(target), 'hardlink-to-a'));
    expect(b.ino).toBe(a.ino);
    const sparse = await lstat(join(home(target), 'sparse.img'));
    expect(sparse.blocks * 512).toBeLessThan(1024 * 1024);
    if (hasXattrTools) {
      const value = execFileSync(
        'getfattr',
        ['--absolute-names', '--only-values', '-n', 'user.vml.test', join(home(target), 'script.sh')],
        { encoding: 'utf8' },
      );
      expect(value).toBe('hello');
    }
  });

  it('diff lists added, removed, modified and metadata changes, between versions and against the live root', async () => {
    const home = join(root, 'home/alice');
    await writeFile(join(home, 'src/new.h'), '#pragma once\n');
    await rm(join(home, 'src/deep/er/b.py'));
    await writeFile(join(home, 'src/a.cxx'), 'int main() { return 1; }\n');
    await chmod(join(home, 'script.sh'), 0o700);
    const live = await runAgent(['diff', 'alice/higgs-ww@v2', ...common(), '--json']);
    expect(live.code, live.stderr).toBe(0);
    const items = (r: typeof live) =>
      Object.fromEntries(r.events.filter((e) => e.type === 'diff-item').map((e) => [e.path, e.change]));
    expect(items(live)).toMatchObject({
      'home/alice/src/new.h': 'added',
      'home/alice/src/deep/er/b.py': 'removed',
      'home/alice/src/a.cxx': 'modified',
      'home/alice/script.sh': 'metadata',
    });
    expect((await runAgent(['backup', ...common()])).code).toBe(0);
    const versions = await runAgent([
      'diff',
      'alice/higgs-ww@v2',
      'alice/higgs-ww@v3',
      ...common(),
      '--json',
    ]);
    expect(items(versions)).toEqual(items(live));
    expect(
      (await runAgent(['diff', 'alice/higgs-ww@v2', 'alice/higgs-ww@v3', ...common()])).stdout,
    ).toContain('M  home/alice/src/a.cxx');
  });

  it('restore over the live root takes a safety version first, and restoring that brings the state back', async () => {
    const home = join(root, 'home/alice');
    const state = await snapshot(home);
    const dry = await runAgent(['restore', 'alice/higgs-ww@v1', ...common(), '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(await snapshot(home)).toEqual(state);
    expect(dry.events.find((e) => e.type === 'restore-summary')).toMatchObject({
      dryRun: true,
      created: 1,
      overwritten: 2,
      removed: 1,
    });

    const r = await runAgent(['restore', 'alice/higgs-ww@v1', ...common(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = r.events.find((e) => e.type === 'restore-summary');
    expect(summary?.safety).toBe('alice/higgs-ww@v4');
    expect(await readFile(join(home, 'src/a.cxx'), 'utf8')).toBe('int main() { return 0; }\n');
    expect(existsSync(join(home, 'src/new.h'))).toBe(false);
    expect(existsSync(join(home, '.cache/junk'))).toBe(true); // out of the recipe's scope: left alone

    expect((await runAgent(['restore', 'alice/higgs-ww@v4', ...common()])).code).toBe(0);
    const back = await snapshot(home);
    for (const [path, value] of state) if (!value.startsWith('dir')) expect(back.get(path), path).toBe(value);
  });

  it('log lists every version with its reason, and show prints the manifest', async () => {
    const log = await runAgent(['log', 'alice/higgs-ww', ...common(), '--json']);
    expect(log.events.map((e) => `${e.seq}:${e.reason}`)).toEqual([
      '1:manual',
      '2:manual',
      '3:manual',
      '4:pre-restore',
      '5:pre-restore',
    ]);
    const prefix = String(log.events[0]?.id).slice(0, 8);
    const show = await runAgent(['show', `alice/higgs-ww@${prefix}`, ...common(), '--json']);
    expect(show.events[0]).toMatchObject({ type: 'show', version: 'alice/higgs-ww@v1' });
    expect((await runAgent(['show', 'alice/higgs-ww@v99', ...common()])).code).toBe(1);
  });

  it('delete without --yes changes nothing; with --yes the version is gone and gc reclaims its data', async () => {
    const dry = await runAgent(['delete', 'alice/higgs-ww@v5', ...common()]);
    expect(dry.stdout).toContain('Would delete alice/higgs-ww@v5');
    expect((await runAgent(['delete', 'alice/higgs-ww@v5', ...common(), '--yes'])).code).toBe(0);
    expect((await runAgent(['show', 'alice/higgs-ww@v5', ...common()])).code).toBe(1);
    expect((await runAgent(['gc', ...common(), '--grace', '0'])).code).toBe(0);
    const check = await runAgent(['check', ...common(), '--read-data', '--json']);
    expect(check.code, check.stdout).toBe(0);
    expect(
      (
        await runAgent([
          'restore',
          'alice/higgs-ww@v1',
          '--root',
          join(dir, 'after-gc'),
          '--logbook',
          `dir:${lb}`,
        ])
      ).code,
    ).toBe(0);
  });
});
