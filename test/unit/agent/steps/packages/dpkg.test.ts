import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDpkgStatus, splitVersion } from '../../../../../agent/steps/packages/dpkg.js';

describe('parseDpkgStatus()', () => {
  it('reads the installed packages of a real status file, not the removed ones', async () => {
    const text = await readFile(
      fileURLToPath(new URL('../../../../fixtures/dpkg/status', import.meta.url)),
      'utf8',
    );
    expect(parseDpkgStatus(text)).toEqual([
      { name: 'bash', epoch: 0, version: '5.2.15', release: '2+b8', arch: 'amd64' },
      { name: 'attr', epoch: 1, version: '2.5.1', release: '4', arch: 'amd64' },
      { name: 'tzdata', epoch: 0, version: '2025b', release: '0+deb12u2', arch: 'all' },
      { name: 'adduser', epoch: 0, version: '3.134', release: '', arch: 'all' },
    ]);
  });
});

describe('splitVersion()', () => {
  it('splits at the first colon and the last hyphen, as dpkg does', () => {
    expect(splitVersion('1:9.18.49-1~deb12u3')).toEqual({
      epoch: 1,
      version: '9.18.49',
      release: '1~deb12u3',
    });
    expect(splitVersion('2.38.1-5-x')).toEqual({ epoch: 0, version: '2.38.1-5', release: 'x' });
  });
});
