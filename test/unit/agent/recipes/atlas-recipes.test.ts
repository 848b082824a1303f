import { describe, expect, it } from 'vitest';
import { loadRecipe, SHIPPED_RECIPES_DIR } from '../../../../agent/recipes/load.js';
import { Scope } from '../../../../agent/steps/files/scope.js';
import type { FilesWith } from '../../../../agent/steps/files-schema.js';

const load = (name: string) => loadRecipe(name, { dirs: [SHIPPED_RECIPES_DIR] });
const scopeOf = async (name: string) =>
  new Scope(
    (await load(name)).steps.filter((s) => s.kind === 'files').map((s) => s.with as FilesWith),
    'home/alice',
  );
const kept = (scope: Scope, path: string) => scope.judge(path, false, []).keep;

describe('ATLAS recipes', () => {
  it.each(['atlas-analysis', 'atlas-athena'])('%s leaves out everything home leaves out', async (name) => {
    const home = (await load('home')).steps[0]?.with as FilesWith;
    const own = (await load(name)).steps.find((s) => s.id === 'home')?.with as FilesWith;
    expect(own.exclude).toEqual(expect.arrayContaining(home.exclude ?? []));
  });

  it('atlas-analysis keeps source/ and run/, not build/, .asetup.save, downloads or .git of checkouts', async () => {
    const scope = await scopeOf('atlas-analysis');
    const area = 'home/alice/analysis/Zmumu';
    expect(kept(scope, `${area}/source/MyAnalysis/Root/Alg.cxx`)).toBe(true);
    expect(kept(scope, `${area}/run/run.sh`)).toBe(true);
    expect(kept(scope, 'etc/krb5.conf')).toBe(true);
    for (const path of [
      `${area}/build/lib/libX.so`,
      `${area}/.asetup.save`,
      'home/alice/data/mc20_13TeV/f.root',
      `${area}/source/MyAnalysis/.git/HEAD`,
      `${area}/source/.git/config`,
      'etc/profile.d/vml-environment.sh',
    ]) {
      expect(kept(scope, path), path).toBe(false);
    }
  });

  it('atlas-athena leaves the athena history to the git step and keeps its work tree', async () => {
    const scope = await scopeOf('atlas-athena');
    expect(kept(scope, 'home/alice/athena/Tracking/x.cxx')).toBe(true);
    expect(kept(scope, 'home/alice/athena/.git/objects/pack/p.pack')).toBe(false);
    expect(kept(scope, 'home/alice/dev/athena/.git/HEAD')).toBe(false);
    expect(kept(scope, 'home/alice/dev/build/x.o')).toBe(false);
    const git = (await load('atlas-athena')).steps.find((s) => s.kind === 'git')?.with;
    expect(git).toMatchObject({ keepGitDir: false });
  });
});
