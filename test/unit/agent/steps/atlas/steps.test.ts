/** The ATLAS steps' capture on edge cases, with real git and bash on temporary roots. */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loginShellVariables } from '../../../../../agent/steps/atlas/login-environment.js';
import { datasetsStep } from '../../../../../agent/steps/datasets.js';
import { environmentStep } from '../../../../../agent/steps/environment.js';
import { readAccounts } from '../../../../../agent/steps/files/owners.js';
import { gitStep } from '../../../../../agent/steps/git.js';
import type { CaptureContext } from '../../../../../agent/steps/step.js';
import type { Event } from '../../../../../core/events.js';

let root: string;
let events: Event[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'vml-atlas-unit-'));
  events = [];
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function context<W>(withBlock: W): Promise<CaptureContext<W>> {
  return {
    root,
    with: withBlock,
    entry: 'alice/x',
    home: 'home/alice',
    accounts: await readAccounts(root),
    output: { emit: (e) => events.push(e), debug: () => undefined, warnings: 0 },
    attach: () => undefined,
    // What the credentials step uses; these steps do not.
    exclude: () => undefined,
    substitute: () => undefined,
    filesInScope: async () => [],
    changedFilesInScope: async () => [],
    previousFacts: undefined,
    recipient: undefined,
  };
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=A', '-c', 'user.email=a@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

describe('git step', () => {
  it('records a detached HEAD that no remote has, with a warning, and skips a repository without commits', async () => {
    const repo = join(root, 'home/alice/work/source');
    await mkdir(repo, { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    await writeFile(join(repo, 'a.txt'), 'a\n');
    git(repo, 'add', 'a.txt');
    git(repo, 'commit', '-qm', 'one');
    git(repo, 'checkout', '-q', '--detach');
    await mkdir(join(root, 'home/alice/empty/source'), { recursive: true });
    git(join(root, 'home/alice/empty/source'), 'init', '-q');
    const facts = await gitStep.capture(await context({ repos: ['{home}/*/source'], keepGitDir: true }));
    expect(facts.checkouts).toEqual([
      expect.objectContaining({
        path: '{home}/work/source',
        branch: undefined,
        remote: undefined,
        onRemote: false,
      }),
    ]);
    expect(events.map((e) => (e.type === 'warning' ? e.path : undefined))).toEqual([
      'home/alice/empty/source',
      'home/alice/work/source',
    ]);
  });

  it('records sparse-checkout patterns', async () => {
    const repo = join(root, 'home/alice/athena');
    await mkdir(join(repo, 'Tracking'), { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    await writeFile(join(repo, 'Tracking/x.cxx'), 'x\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'one');
    git(repo, 'sparse-checkout', 'set', '--no-cone', '/Tracking/');
    const facts = await gitStep.capture(await context({ repos: ['{home}/athena'], keepGitDir: false }));
    expect(facts.checkouts[0]?.sparse).toEqual(['/Tracking/']);
  });
});

describe('datasets step', () => {
  it('ignores partial downloads and empty folders', async () => {
    await mkdir(join(root, 'home/alice/data/user.alice'), { recursive: true });
    await mkdir(join(root, 'home/alice/data/mc20_13TeV'), { recursive: true });
    await writeFile(join(root, 'home/alice/data/user.alice/ntuple.root'), 'abc');
    await writeFile(join(root, 'home/alice/data/user.alice/big.root.part'), 'half');
    const facts = await datasetsStep.capture(await context({ dirs: ['{home}/data'] }));
    expect(facts.downloads).toEqual([
      {
        dir: '{home}/data',
        folder: 'user.alice',
        layout: 'scope',
        dids: ['user.alice:ntuple.root'],
        files: [{ name: 'ntuple.root', size: 3, adler32: '024d0127' }],
      },
    ]);
  });
});

describe('environment step', () => {
  it('reads a real login shell (bash -l) with an empty environment', async () => {
    const home = join(root, 'home/alice');
    await mkdir(home, { recursive: true });
    await writeFile(
      join(home, '.bash_profile'),
      'export ATLAS_LOCAL_ROOT_BASE=/cvmfs/atlas.cern.ch/repo/ATLASLocalRootBase\nexport N=$(echo 4)2\n',
    );
    const vars = await loginShellVariables({ user: 'alice', home });
    expect(vars.get('ATLAS_LOCAL_ROOT_BASE')).toBe('/cvmfs/atlas.cern.ch/repo/ATLASLocalRootBase');
    expect(vars.get('N')).toBe('42'); // computed by the shell: what rc-files cannot know
    expect(vars.get('HOME')).toBe(home);
  });

  it('reads export lines for another root, withholding credentials by name and by value', async () => {
    await mkdir(join(root, 'home/alice'), { recursive: true });
    await writeFile(
      join(root, 'home/alice/.bashrc'),
      "export RUCIO_ACCOUNT=alice\nexport MY_DB='mysql://u:FakePw-0003@h/db'\nexport VOMS_PROXY=x\nexport PWD=/x\n",
    );
    const facts = await environmentStep.capture(await context(environmentStep.schema.parse({})));
    expect(facts).toEqual({
      method: 'rc-files',
      variables: { RUCIO_ACCOUNT: 'alice' },
      withheld: ['MY_DB', 'VOMS_PROXY'],
    });
    expect(JSON.stringify(facts)).not.toContain('FakePw-0003');
  });
});
