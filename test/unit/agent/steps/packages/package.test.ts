import { describe, expect, it } from 'vitest';
import { parseBaseline, parseNevra } from '../../../../../agent/steps/packages/baseline.js';
import { compareVersions, evr, nevra, type Package } from '../../../../../agent/steps/packages/package.js';

const pkg = (over: Partial<Package> = {}): Package => ({
  name: 'root',
  epoch: 0,
  version: '6.30.06',
  release: '1.el9',
  arch: 'x86_64',
  ...over,
});

describe('nevra()', () => {
  it('leaves out a zero epoch and writes another one', () => {
    expect(nevra(pkg())).toBe('root-6.30.06-1.el9.x86_64');
    expect(nevra(pkg({ epoch: 2 }))).toBe('root-2:6.30.06-1.el9.x86_64');
    expect(evr(pkg({ release: '' }))).toBe('6.30.06');
  });
});

describe('compareVersions() orders like rpmvercmp', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '1.1', -1],
    ['1.10', '1.9', 1],
    ['1.0a', '1.0', 1],
    ['2.0', '2.0.1', -1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.0.1', -1],
    ['5.14.0-362', '5.14.0-70', 1],
    ['a', '1', -1],
    ['001', '1', 0],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(-expected || 0);
  });
});

describe('parseNevra()', () => {
  it('reads rpm -qa lines and leaves bare names alone', () => {
    expect(parseNevra('kernel-core-5.14.0-362.8.1.el9_3.x86_64')).toEqual({
      name: 'kernel-core',
      epoch: 0,
      version: '5.14.0',
      release: '362.8.1.el9_3',
      arch: 'x86_64',
    });
    expect(parseNevra('python3.11-3.11.5-1.el9.x86_64')?.name).toBe('python3.11');
    expect(parseNevra('perl-Digest-MD5')).toBeUndefined();
    expect(parseNevra('xorg-x11-fonts-Type1')).toBeUndefined();
  });
});

describe('parseBaseline()', () => {
  const baseline = parseBaseline('test', '# comment\nbash\nglibc-2.34-83.el9.x86_64  # exact build\n\n');
  it('matches a bare name in every build and a NEVRA in that build only', () => {
    expect(baseline.size).toBe(2);
    expect(baseline.has(pkg({ name: 'bash', version: '9' }))).toBe(true);
    expect(baseline.has(pkg({ name: 'glibc', version: '2.34', release: '83.el9' }))).toBe(true);
    expect(baseline.has(pkg({ name: 'glibc', version: '2.34', release: '100.el9' }))).toBe(false);
    expect(baseline.has(pkg({ name: 'root' }))).toBe(false);
  });
});
