/**
 * The ATLAS round trip with the built CLI: back up an ATLAS user's root A (the recipe chosen by itself),
 * restore into a fresh root B, back B up again: same facts, same files (minus what the recipe leaves out),
 * and `diff` finds nothing. Git is real (a bare repository on disk is the remote); rucio is a script that
 * stands in for the grid, which cannot be reached from here. About 5 s.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentEvent, at, makeGuestRoot, runAgent, treeSnapshot } from '../helpers/cli.js';
import { CHECKOUT, makeAtlasRoot, makeCernvmRoot, makeFakeRucio, RELEASE_DIR } from './fixture.js';

let base: string;
let rootA: string;
let logbook: string;
let remote: string;
let rucio: { bin: string; log: string };
const PLANTED = ['glpat-FAKEFAKEFAKEFAKEFAKE0001', 'FakePassw0rd-0002', '/tmp/x509up_u1000'];

const factsOf = async (version: string, root: string) => {
  const shown = await runAgent(['show', version, ...at(root, logbook), '--json']);
  expect(shown.code).toBe(0);
  const manifest = shown.events[0]?.manifest as { steps: Record<string, { kind: string; facts: unknown }> };
  return Object.fromEntries(Object.entries(manifest.steps).filter(([, s]) => s.kind !== 'files'));
};
const withoutBuildAndGit = (rel: string) => /(^|\/)(build|\.git)$/.test(rel);
const gitIn = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'safe.directory=*', '-C', dir, ...args], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'vml-atlas-'));
  await chmod(base, 0o755); // the owner's tools (git, rucio) run as alice and must reach the remote
  remote = join(base, 'remote.git');
  rootA = await makeAtlasRoot(join(base, 'A'), remote);
  logbook = join(base, 'logbook');
  rucio = await makeFakeRucio(join(base, 'fake'));
  const init = await runAgent(['init', ...at(rootA, logbook), '--entry', 'alice/zmumu', '--no-config']);
  expect(init.code).toBe(0);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('ATLAS round trip', () => {
  let backupA: AgentEvent[];

  it('backs up an ATLAS home with atlas-analysis without being told, and says so', async () => {
    const result = await runAgent(['backup', ...at(rootA, logbook), '--entry', 'alice/zmumu', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    backupA = result.events;
    expect(backupA).toContainEqual(
      expect.objectContaining({ type: 'info', message: expect.stringContaining('"atlas-analysis"') }),
    );
    expect(backupA.find((e) => e.type === 'backup-summary')).toMatchObject({ recipe: 'atlas-analysis' });
  });

  it('records release, datasets, variables and the checkout, and no credential', async () => {
    const facts = await factsOf('alice/zmumu@v1', rootA);
    const text = JSON.stringify(facts);
    for (const secret of PLANTED) expect(text).not.toContain(secret);
    expect(JSON.stringify(facts.packages?.facts)).toContain('vml-lib'); // added to the CernVM baseline
    expect(facts.release?.facts).toMatchObject({
      areas: [
        {
          path: '{home}/analysis/ZmumuAnalysis',
          project: 'AnalysisBase',
          release: '24.2.35',
          platform: 'x86_64-el9-gcc13-opt',
        },
      ],
    });
    expect(facts.environment?.facts).toMatchObject({
      method: 'rc-files',
      variables: { RUCIO_ACCOUNT: 'alice', LANG: 'en_US.UTF-8', PATH: '{home}/.local/bin:{home}/bin:$PATH' },
      withheld: ['DB_URL', 'GITLAB_TOKEN', 'X509_USER_PROXY'],
    });
    const git = (facts.git?.facts as { checkouts: Record<string, unknown>[] }).checkouts;
    expect(git).toEqual([
      expect.objectContaining({
        path: `{home}/${CHECKOUT.slice('home/alice/'.length)}`,
        branch: 'main',
        remote,
        onRemote: true,
      }),
    ]);
    expect(git[0]?.commit).toBe(gitIn(join(rootA, CHECKOUT), 'rev-parse', 'HEAD'));
    const datasets = (facts.datasets?.facts as { downloads: { dids: string[] }[] }).downloads.flatMap(
      (d) => d.dids,
    );
    expect(datasets).toEqual([
      'mc20_13TeV:DAOD_PHYS.37621880._000012.pool.root.1',
      'mc20_13TeV:mc20_13TeV.700320.Sh_2211_Zmumu_maxHTpTV2_BFilter.deriv.DAOD_PHYS.e8351_s3681_r13167_p5855',
    ]);
  });

  it('restores into a fresh root, captures it again with the same facts and files, and diff finds nothing', async () => {
    const rootB = join(base, 'B');
    await makeCernvmRoot(rootB);
    await mkdir(join(rootB, RELEASE_DIR), { recursive: true }); // CernVM-FS "mounted" in B
    const env = { PATH: `${rucio.bin}:${process.env.PATH}` };
    const restored = await runAgent(
      ['restore', 'alice/zmumu@v1', ...at(rootB, logbook), '--fetch-datasets', '--json'],
      { env },
    );
    // The one thing not brought back: the token exported in .bashrc (no identity here to open the vault),
    // so .bashrc comes back without its value, and the report says so.
    expect(restored.events.filter((e) => e.type === 'warning').map((e) => e.message)).toEqual([
      expect.stringContaining('home/alice/.bashrc (exported-secret'),
    ]);
    expect(restored.code).toBe(3);
    expect(await readFile(rucio.log, 'utf8')).toContain(
      `download --dir ${rootB}/home/alice/data mc20_13TeV:`,
    );
    // The clone is at the recorded commit with the same uncommitted changes; .git came from the remote.
    expect(gitIn(join(rootB, CHECKOUT), 'rev-parse', 'HEAD')).toBe(
      gitIn(join(rootA, CHECKOUT), 'rev-parse', 'HEAD'),
    );
    // What is staged is not recorded apart (one patch against HEAD): compare the changes, not the index.
    for (const args of [
      ['diff', 'HEAD', '--name-status'],
      ['ls-files', '--others'],
    ]) {
      expect(gitIn(join(rootB, CHECKOUT), ...args)).toBe(gitIn(join(rootA, CHECKOUT), ...args));
    }

    const again = await runAgent(['backup', ...at(rootB, logbook), '--entry', 'alice/zmumu', '--json']);
    expect(again.code).toBe(0);
    // The same facts, but for the credentials step: A's .bashrc held a token, B's (the redacted copy) none.
    const { credentials: credentialsB, ...factsB } = await factsOf('alice/zmumu@latest', rootB);
    const { credentials: credentialsA, ...factsA } = await factsOf('alice/zmumu@v1', rootA);
    expect(factsB).toEqual(factsA);
    expect(JSON.stringify(credentialsA)).toContain('"path":"home/alice/.bashrc"');
    expect(JSON.stringify(credentialsB)).toContain('"credentials":[]');
    const withoutBashrc = (rel: string) => withoutBuildAndGit(rel) || rel === '.bashrc';
    expect(await treeSnapshot(join(rootB, 'home/alice'), { exclude: withoutBashrc })).toEqual(
      await treeSnapshot(join(rootA, 'home/alice'), { exclude: withoutBashrc }),
    );
    const bashrcB = await readFile(join(rootB, 'home/alice/.bashrc'), 'utf8');
    expect(bashrcB).toContain('export RUCIO_ACCOUNT=alice');
    for (const secret of PLANTED.slice(0, 2)) expect(bashrcB).not.toContain(secret);
    const diff = await runAgent(['diff', 'alice/zmumu@v1', ...at(rootB, logbook), '--json']);
    expect(diff.code).toBe(0);
    expect(diff.events.filter((e) => e.type === 'diff-item' || e.type === 'diff-fact')).toEqual([
      expect.objectContaining({ type: 'diff-fact', step: 'credentials', change: 'removed' }),
    ]);
  });

  it('lists the rucio commands and the missing release when it cannot bring them back', async () => {
    const rootC = join(base, 'C');
    await makeCernvmRoot(rootC);
    const restored = await runAgent(['restore', 'alice/zmumu@v1', ...at(rootC, logbook), '--json']);
    expect(restored.code).toBe(3);
    const report = JSON.parse(await readFile(join(rootC, 'var/lib/vml/last-restore.json'), 'utf8'));
    const kinds = report.problems.map((p: { kind: string }) => p.kind).sort();
    expect(kinds).toEqual(['credential', 'dataset', 'dataset', 'release']); // credential: .bashrc's token
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        kind: 'dataset',
        hint: 'rucio download --dir /home/alice/data mc20_13TeV:DAOD_PHYS.37621880._000012.pool.root.1',
      }),
    );
    await expect(
      readFile(join(rootC, 'home/alice/data/mc20_13TeV/DAOD_PHYS.37621880._000012.pool.root.1')),
    ).rejects.toThrow();
  });

  it("writes .asetup.save for the home of the restoring root, not the owner's old paths", async () => {
    const rootD = join(base, 'D');
    await makeCernvmRoot(rootD, {
      'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/data/alice:/bin/bash\n',
    });
    const restored = await runAgent(['restore', 'alice/zmumu@v1', ...at(rootD, logbook), '--json']);
    expect([0, 3]).toContain(restored.code);
    const save = await readFile(join(rootD, 'data/alice/analysis/ZmumuAnalysis/.asetup.save'), 'utf8');
    expect(save).toContain('testarea = /data/alice/analysis/ZmumuAnalysis');
    expect(save).not.toContain('/home/alice');
    expect(await readFile(join(rootD, 'etc/profile.d/vml-environment.sh'), 'utf8')).toContain(
      "export ALRB_localConfigDir='/data/alice/localConfig'",
    );
  });

  it('reports an unreachable remote with the command to clone by hand, and still restores the files', async () => {
    await rename(remote, `${remote}.away`);
    try {
      const rootE = join(base, 'E');
      await makeCernvmRoot(rootE);
      const restored = await runAgent(['restore', 'alice/zmumu@v1', ...at(rootE, logbook), '--json']);
      expect(restored.code).toBe(3);
      const report = JSON.parse(await readFile(join(rootE, 'var/lib/vml/last-restore.json'), 'utf8'));
      expect(report.problems).toContainEqual(
        expect.objectContaining({
          kind: 'git',
          subject: `/${CHECKOUT}`,
          hint: expect.stringContaining(`git clone ${remote} /${CHECKOUT}`),
        }),
      );
      expect(await readFile(join(rootE, CHECKOUT, 'NOTES.txt'), 'utf8')).toBe('try the 27 GeV cut\n');
    } finally {
      await rename(`${remote}.away`, remote);
    }
  });

  it('backs up a home without a work area with the home recipe, and says so', async () => {
    const plain = await makeGuestRoot(join(base, 'plain'), { 'home/alice/notes.txt': 'no ATLAS here\n' });
    await runAgent(['init', ...at(plain, join(base, 'lb2')), '--no-config']);
    const result = await runAgent([
      'backup',
      ...at(plain, join(base, 'lb2')),
      '--entry',
      'alice/plain',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.events).toContainEqual(
      expect.objectContaining({ type: 'info', message: expect.stringContaining('"home"') }),
    );
    expect(result.events.find((e) => e.type === 'backup-summary')).toMatchObject({ recipe: 'home' });
  });
});
