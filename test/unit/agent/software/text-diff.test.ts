import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../../agent/software/cvmfs/text-diff.js';

/** The hunks the real `diff -u` prints (header lines dropped). */
function gnuDiff(a: string, b: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'vml-diff-'));
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  try {
    execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
    return [];
  } catch (error) {
    return String((error as { stdout: string }).stdout)
      .trimEnd()
      .split('\n')
      .slice(2);
  }
}

const lines = (n: number, f = (i: number) => `line ${i}`) =>
  `${Array.from({ length: n }, (_, i) => f(i)).join('\n')}\n`;

describe('unifiedDiff()', () => {
  const cases: [string, string, string][] = [
    ['one changed line', lines(10), lines(10).replace('line 4\n', 'line four\n')],
    [
      'two far-apart changes (two hunks)',
      lines(30),
      lines(30).replace('line 2\n', 'x\n').replace('line 25\n', 'y\n'),
    ],
    [
      'two close changes (one hunk)',
      lines(30),
      lines(30).replace('line 10\n', 'x\n').replace('line 15\n', 'y\n'),
    ],
    ['an appended line', lines(8), `${lines(8)}CVMFS_QUOTA_LIMIT=20000\n`],
    ['a new file', '', lines(2)],
    ['a removed first line', lines(5), lines(5).replace('line 0\n', '')],
  ];
  it.each(cases)('%s: matches diff -u', (_, a, b) => {
    expect(unifiedDiff(a, b)).toEqual(gnuDiff(a, b));
  });
  it('is empty for equal texts', () => {
    expect(unifiedDiff(lines(3), lines(3))).toEqual([]);
  });
});
