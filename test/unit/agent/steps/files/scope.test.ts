import { describe, expect, it } from 'vitest';
import { Scope } from '../../../../../agent/steps/files/scope.js';

const home = (include: string[], exclude: string[] = []) =>
  new Scope([{ include, exclude, oneFileSystem: false }], 'home/alice');

describe('Scope', () => {
  it('keeps what an include matches and descends only into directories that can hold a match', () => {
    const s = home(['{home}/analysis/**']);
    expect(s.judge('home', true, s.rootFlags())).toEqual({ keep: false, descend: true });
    expect(s.judge('home/bob', true, [false])).toEqual({ keep: false, descend: false });
    expect(s.judge('etc', true, s.rootFlags())).toEqual({ keep: false, descend: false });
    expect(s.judge('home/alice/analysis/run.py', false, [false]).keep).toBe(true);
    expect(s.judge('home/alice/other.txt', false, [false]).keep).toBe(false);
  });

  it('keeps everything below a directory an include names', () => {
    const s = home(['etc/cvmfs']);
    expect(s.judge('etc/cvmfs', true, [false])).toEqual({ keep: true, descend: true });
    const inside = s.keptBy('etc/cvmfs', [false]);
    expect(s.judge('etc/cvmfs/default.local', false, inside).keep).toBe(true);
  });

  it('leaves out excluded paths, and names without a slash at any depth', () => {
    const s = home(['{home}/**'], ['{home}/.cache/**', '*.pyc', '**/build/**']);
    expect(s.judge('home/alice/.cache', true, [false]).keep).toBe(false);
    expect(s.judge('home/alice/a/b/c.pyc', false, [false]).keep).toBe(false);
    expect(s.judge('home/alice/ws/build', true, [false]).keep).toBe(false);
    expect(s.judge('home/alice/ws/source/x.cxx', false, [false]).keep).toBe(true);
  });

  it('an exclude of one step does not hide what another step includes', () => {
    const s = new Scope(
      [
        { include: ['{home}/**'], exclude: ['{home}/data/**'], oneFileSystem: false },
        { include: ['{home}/data/keep.txt'], oneFileSystem: true },
      ],
      'home/alice',
    );
    expect(s.judge('home/alice/data/keep.txt', false, [false, false]).keep).toBe(true);
    expect(s.judge('home/alice/data/other.txt', false, [false, false]).keep).toBe(false);
    expect(s.oneFileSystem).toBe(true);
  });

  it('takes the smallest maxFileSize of its steps', () => {
    const s = new Scope(
      [
        { include: ['a/**'], oneFileSystem: false, maxFileSize: '2GiB' },
        { include: ['b/**'], oneFileSystem: false, maxFileSize: '1MB' },
      ],
      'home/alice',
    );
    expect(s.maxFileSize).toBe(1_000_000);
  });

  it('leaves out exact paths a fact step keeps its own way, and nothing beside them', () => {
    const s = new Scope(
      [{ include: ['{home}/**'], oneFileSystem: false }],
      'home/alice',
      new Set(['home/alice/.globus/userkey.pem']),
    );
    const inside = s.keptBy('home/alice/.globus', [false]);
    expect(s.judge('home/alice/.globus/userkey.pem', false, inside)).toEqual({ keep: false, descend: false });
    expect(s.judge('home/alice/.globus/usercert.pem', false, inside).keep).toBe(true);
    expect(s.judge('home/alice/.globus/userkey.pem.txt', false, inside).keep).toBe(true);
  });
});
