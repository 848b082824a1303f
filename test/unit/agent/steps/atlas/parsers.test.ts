import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adler32Update } from '../../../../../agent/steps/atlas/adler32.js';
import {
  asetupArguments,
  formatAsetupSave,
  parseAsetupSave,
  summarize,
} from '../../../../../agent/steps/atlas/asetup-save.js';
import { stripPassword } from '../../../../../agent/steps/atlas/git-repo.js';
import { expandTemplate, templateHome } from '../../../../../agent/steps/atlas/home-template.js';
import { classifyFolder } from '../../../../../agent/steps/atlas/rucio-names.js';
import { isSecretName, looksSecret } from '../../../../../agent/steps/atlas/secrets.js';
import { parseAssignment, readWord } from '../../../../../agent/steps/atlas/shell-words.js';

const FIXTURE = join(
  import.meta.dirname,
  '../../../../fixtures/atlas-home/analysis/ZmumuAnalysis/.asetup.save',
);

describe('.asetup.save', () => {
  it('summarizes the fixture and writes it back unchanged', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const save = parseAsetupSave(text);
    expect(formatAsetupSave(save)).toBe(text);
    expect(summarize(save)).toMatchObject({
      project: 'AnalysisBase',
      release: '24.2.35',
      branch: '24.2',
      platform: 'x86_64-el9-gcc13-opt',
      nightly: false,
      variables: {
        AtlasVersion: '24.2.35',
        BINARY_TAG: 'x86_64-el9-gcc13-opt',
        CMTCONFIG: 'x86_64-el9-gcc13-opt',
      },
    });
  });

  it('resolves a nightly set up as "latest" to its build stamp, with lower-cased keys', () => {
    const save = parseAsetupSave(
      '[defaults]\nproject = Athena\nbranch = main\nrelease = latest\n[environment]\natlasbuildstamp = 2024-05-21T2101\n',
    );
    const summary = summarize(save);
    expect(summary).toMatchObject({ release: '2024-05-21T2101', nightly: true, stamp: '2024-05-21T2101' });
    expect(asetupArguments(summary)).toBe('Athena,main,r2024-05-21T2101');
  });

  it('keeps "latest" when no stamp was recorded, and reads continuation lines and ":" pairs', () => {
    const save = parseAsetupSave('[defaults]\nproject: Athena\nrelease = latest\nextra = a\n  b\n');
    expect(summarize(save).release).toBe('latest');
    expect(save.sections[0]?.entries.at(-1)).toEqual({ key: 'extra', value: 'a\nb' });
  });
});

describe('home templates', () => {
  it('replaces the home only as a whole path prefix', () => {
    expect(templateHome('/home/alice/x:/home/alicex:/home/alice', '/home/alice')).toBe(
      '{home}/x:/home/alicex:{home}',
    );
    expect(expandTemplate('{home}/x', '/data/alice')).toBe('/data/alice/x');
  });
});

describe('rucio layouts', () => {
  it.each([
    ['mc20_13TeV', 'scope', 'mc20_13TeV'],
    ['user.alice', 'scope', 'user.alice'],
    ['user.alice.zmumu.v2_ntuple', 'dataset', 'user.alice'],
    ['data18_13TeV.00348885.physics_Main.deriv.DAOD_PHYS.r13286_p4910', 'dataset', 'data18_13TeV'],
  ])('%s is a %s of scope %s', (name, layout, scope) => {
    expect(classifyFolder(name)).toEqual({ layout, scope });
  });

  it('computes Adler-32 as zlib does', () => {
    expect(adler32Update(1, new TextEncoder().encode('Wikipedia')).toString(16)).toBe('11e60398');
    expect(adler32Update(1, new Uint8Array(100_000).fill(255)).toString(16).padStart(8, '0')).toBe(
      '149a302c', // python3: zlib.adler32(b'\xff' * 100000)
    );
  });
});

describe('credentials', () => {
  it('withholds names that say they are secrets, in any case', () => {
    for (const name of [
      'GITLAB_TOKEN',
      'http_proxy',
      'AWS_SECRET_ACCESS_KEY',
      'X509_USER_PROXY',
      'KRB5CCNAME',
      'MYSQL_PWD_PASSWORD',
    ]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['PATH', 'RUCIO_ACCOUNT', 'AtlasVersion'])
      expect(isSecretName(name), name).toBe(false);
  });

  it('withholds values that look like credentials whatever the name', () => {
    expect(looksSecret('postgresql://alice:s3cret@db:5432/x')).toBe(true);
    expect(looksSecret('glpat-abcdefghijklmnopqrstu')).toBe(true);
    expect(looksSecret('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.sig')).toBe(true);
    expect(looksSecret('https://gitlab.cern.ch/atlas/athena.git')).toBe(false);
    expect(looksSecret('root://eosuser.cern.ch//eos/user/a/alice')).toBe(false);
  });

  it('strips users and passwords from remote URLs', () => {
    expect(stripPassword('https://oauth2:glpat-xyz@gitlab.cern.ch/a/b.git')).toBe(
      'https://gitlab.cern.ch/a/b.git',
    );
    expect(stripPassword('https://ghp_token@github.com/a/b')).toBe('https://github.com/a/b');
    expect(stripPassword('ssh://git:pw@gitlab.cern.ch:7999/a/b.git')).toBe(
      'ssh://git@gitlab.cern.ch:7999/a/b.git',
    );
    expect(stripPassword('git@github.com:a/b.git')).toBe('git@github.com:a/b.git');
  });
});

describe('rc file lines', () => {
  const vars = new Map([
    ['HOME', '/home/alice'],
    ['PATH', '$PATH'],
  ]);
  it('expands quotes and variables like the shell', () => {
    expect(parseAssignment('export P=$HOME/bin:$PATH', vars)).toEqual({
      name: 'P',
      value: '/home/alice/bin:$PATH',
      exported: true,
      computed: false,
    });
    expect(readWord(`'a b'"\${HOME}"\\ c # comment`, vars)).toBe('a b/home/alice c');
    expect(readWord(`'it'\\''s'`, vars)).toBe("it's");
  });

  it('marks values that need a command as unknown', () => {
    expect(parseAssignment('export T=$(date)', vars)).toMatchObject({ value: undefined, computed: true });
    expect(parseAssignment('export T=`date`', vars)).toMatchObject({ computed: true });
    expect(parseAssignment('alias x=y', vars)).toBeUndefined();
  });
});
