/** The frozen format-1 logbook under test/fixtures/logbook-v1 stays readable by every later version. */
import { cp, lstat, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from './helpers/cli.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/logbook-v1/logbook');

describe('the frozen logbook of format 1', async () => {
  let dir: string;
  let lb: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vml-v1-'));
    lb = join(dir, 'logbook');
    // A copy: check and restore take locks, and the fixture must stay byte-for-byte as committed.
    await cp(FIXTURE, lb, { recursive: true });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists both versions with their original ids and messages', async () => {
    const r = await runAgent(['log', '--logbook', `dir:${lb}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.events.map((e) => [e.entry, e.seq, String(e.id).slice(0, 8), e.message])).toEqual([
      ['alice/fixture', 1, '980666d2', 'frozen v1'],
      ['alice/fixture', 2, 'e71902f6', 'frozen v2'],
    ]);
  });

  it('passes check --read-data', async () => {
    const r = await runAgent(['check', '--read-data', '--logbook', `dir:${lb}`, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('restores both versions with their contents, modes, times and links', async () => {
    for (const [version, returns] of [
      ['v1', 0],
      ['v2', 1],
    ] as const) {
      const root = join(dir, version);
      expect(
        (await runAgent(['restore', `alice/fixture@${version}`, '--root', root, '--logbook', `dir:${lb}`]))
          .code,
      ).toBe(0);
      const home = join(root, 'home/alice');
      expect(await readFile(join(home, 'src/main.cxx'), 'utf8')).toBe(`int main() { return ${returns}; }\n`);
      const numbers = Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join('');
      expect(await readFile(join(home, 'numbers.txt'), 'utf8')).toBe(numbers);
      const stat = await lstat(join(home, 'numbers.txt'));
      expect(stat.mode & 0o7777).toBe(0o600);
      expect(stat.mtime.toISOString()).toBe('2026-01-01T12:00:00.500Z');
      expect(await readlink(join(home, 'link'))).toBe('src/main.cxx');
    }
  });
});
