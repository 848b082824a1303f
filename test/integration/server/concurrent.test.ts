/**
 * 20 agents back up at once to one `vml logbook serve` process: 20 entries of 8 users (so several agents
 * share a user's namespace, its packs, indexes and locks), two rounds with a change between. No agent may
 * fail, every version must be listed, each user's logbook must pass `check --read-data`, and one version per
 * user restores byte-identical. Records the server's peak RSS (VmHWM). Slow: about 3 minutes on the
 * 2-core build machine (20 Node processes at once); figures in docs/server.md.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGuestRoot, runAgent, treeSnapshot, writeFiles, writeRandomFile } from '../helpers/cli.js';
import { type RunningServer, runHost, startServer, stopServer } from './helpers.js';

const AGENTS = 20;
const USERS = 8;
const KiB = 1024;
let T: string;
let data: string;
let server: RunningServer;
const tokens = new Map<string, string>();

const userOf = (i: number) => `u${i % USERS}`;
const entryOf = (i: number) => `${userOf(i)}/vm${i}`;
const rootOf = (i: number) => join(T, `root${i}`);
const passwd = Array.from(
  { length: USERS },
  (_, u) => `u${u}:x:${2000 + u}:${2000 + u}::/home/u${u}:/bin/bash`,
);

const agent = (i: number, args: string[], root = rootOf(i)) =>
  runAgent([...args, '--root', root, '--logbook', server.url, '--entry', entryOf(i), '--json'], {
    env: { VML_TOKEN: tokens.get(userOf(i)) },
    timeoutMs: 300_000,
  });

/** The server's peak resident set so far, from /proc (Linux). */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

async function makeRoot(i: number): Promise<void> {
  const home = `home/${userOf(i)}`;
  const files: Record<string, string> = {
    'etc/passwd': `root:x:0:0:root:/root:/bin/bash\n${passwd.join('\n')}\n`,
    // The same file on every VM of a user: stored once in the user's namespace.
    [`${home}/shared/setup.sh`]: `#!/bin/sh\n# ${userOf(i)}\n${'export X=1\n'.repeat(2000)}`,
  };
  for (let f = 0; f < 20; f++) files[`${home}/work/notes-${f}.txt`] = `vm${i} note ${f}\n`.repeat(50 + f);
  await makeGuestRoot(rootOf(i), files);
  await writeRandomFile(join(rootOf(i), `${home}/data/seed.bin`), 200 * KiB + i * KiB);
}

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-concurrent-'));
  data = join(T, 'server');
  server = await startServer(data);
  for (let u = 0; u < USERS; u++) {
    expect((await runHost(['logbook', 'user', 'add', `u${u}`, '--data', data])).code).toBe(0);
    const made = await runHost(['logbook', 'token', 'create', `u${u}`, '--data', data, '--json']);
    tokens.set(`u${u}`, String(made.events[0]?.token));
  }
  await Promise.all(Array.from({ length: AGENTS }, (_, i) => makeRoot(i)));
  // A user's first VM makes the logbook; the others find it.
  for (let u = 0; u < USERS; u++) expect((await agent(u, ['init', '--no-config'])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  if (server) await stopServer(server);
  if (T) await rm(T, { recursive: true, force: true });
});

describe(`${AGENTS} agents at once`, () => {
  it('two rounds of concurrent backups: no errors, no lost versions, check passes, restores match', async () => {
    const started = performance.now();
    for (const round of [1, 2]) {
      if (round === 2) {
        await Promise.all(
          Array.from({ length: AGENTS }, (_, i) =>
            writeFiles(rootOf(i), {
              [`home/${userOf(i)}/work/notes-0.txt`]: `changed in round 2 by vm${i}\n`,
            }),
          ),
        );
      }
      const results = await Promise.all(
        Array.from({ length: AGENTS }, (_, i) => agent(i, ['backup', '--message', `round ${round} vm${i}`])),
      );
      for (const [i, r] of results.entries()) expect(r.code, `vm${i} round ${round}: ${r.stderr}`).toBe(0);
    }
    const seconds = (performance.now() - started) / 1000;
    const rss = await peakRssMiB(server.child.pid ?? 0);
    console.log(
      `${AGENTS} agents x 2 rounds: ${seconds.toFixed(1)} s; server peak RSS ${rss.toFixed(0)} MiB`,
    );

    // Verification, a user at a time in parallel: every version listed, check --read-data, one restore.
    const verify = async (u: number) => {
      const mine = Array.from({ length: AGENTS }, (_, i) => i).filter((i) => userOf(i) === `u${u}`);
      for (const i of mine) {
        const versions = (await agent(i, ['log', entryOf(i)])).events.filter((e) => e.type === 'version');
        expect(versions.map((v) => [v.seq, v.message])).toEqual([
          [1, `round 1 vm${i}`],
          [2, `round 2 vm${i}`],
        ]);
      }
      const check = await agent(u, ['check', '--read-data']);
      expect(check.code, check.stderr).toBe(0);
      // One version per user comes back byte-identical (the others are covered by check --read-data).
      const target = await makeGuestRoot(join(T, `restore${u}`), {
        'etc/passwd': `root:x:0:0:root:/root:/bin/bash\n${passwd.join('\n')}\n`,
      });
      const restore = await agent(u, ['restore', `${entryOf(u)}@v2`], target);
      expect(restore.code, restore.stderr).toBe(0);
      expect(await treeSnapshot(join(target, `home/u${u}`))).toEqual(
        await treeSnapshot(join(rootOf(u), `home/u${u}`)),
      );
    };
    await Promise.all(Array.from({ length: USERS }, (_, u) => verify(u)));
  }, 600_000);
});
