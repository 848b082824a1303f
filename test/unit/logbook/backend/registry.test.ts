import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isVmlError, type VmlError } from '../../../../core/errors.js';
import { MemoryBackend } from '../../../../logbook/backend/memory.js';
import { cleanTempFiles, openBackend, stripCredentials } from '../../../../logbook/backend/open.js';
import { dirFactory, findBackend } from '../../../../logbook/backend/registry.js';
import { RetryingBackend } from '../../../../logbook/backend/retry.js';

function usageError(run: () => unknown): VmlError {
  try {
    run();
  } catch (error) {
    if (isVmlError(error) && error.code === 'E_USAGE') return error;
    throw error;
  }
  throw new Error('expected a VmlError E_USAGE');
}

describe('backend registry', () => {
  it('dir:relative/path resolves against the working directory', () => {
    expect(dirFactory.parse('dir:some/logbook')).toEqual({ scheme: 'dir', target: resolve('some/logbook') });
    expect(findBackend('dir:some/logbook').scheme).toBe('dir');
  });

  it('accepts a bare absolute path as a dir: location', () => {
    expect(findBackend('/srv/vml').scheme).toBe('dir');
    expect(dirFactory.parse('/srv/vml/../vml2')).toEqual({ scheme: 'dir', target: '/srv/vml2' });
  });

  it('rejects an unknown scheme with E_USAGE, listing the known ones and hiding credentials', () => {
    const error = usageError(() => findBackend('sftp://alice:hunter2@host/vml'));
    expect(error.message).toContain('"sftp:"');
    expect(error.message).not.toContain('hunter2');
    expect(error.hint).toContain('"dir:"');
  });

  it('rejects a relative path without a scheme, suggesting dir:', () => {
    const error = usageError(() => findBackend('logbooks/main'));
    expect(error.hint).toContain('"dir:logbooks/main"');
  });

  it('rejects dir: without a path', () => {
    expect(usageError(() => dirFactory.parse('dir:')).message).toContain('path is missing');
  });

  it('stripCredentials() removes user info from unknown URLs and keeps dir paths', () => {
    expect(stripCredentials('https://alice:hunter2@logbook.example/vml')).toBe('https://logbook.example/vml');
    expect(stripCredentials('dir:/srv/vml')).toBe('dir:/srv/vml');
  });
});

describe('openBackend()', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'vml-open-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('with create makes the logbook directories and wraps the backend in retries', async () => {
    const be = await openBackend(`dir:${join(tmp, 'lb')}`, { create: true });
    expect(be).toBeInstanceOf(RetryingBackend);
    expect(be.location).toBe(`dir:${join(tmp, 'lb')}`);
    expect((await readdir(join(tmp, 'lb'))).sort()).toEqual(['data', 'index', 'keys', 'locks', 'snapshots']);
  });

  it('without create touches nothing on disk', async () => {
    const be = await openBackend(join(tmp, 'lb'));
    expect(be.location).toBe(`dir:${join(tmp, 'lb')}`);
    await expect(stat(join(tmp, 'lb'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects an unknown scheme before touching anything', async () => {
    await expect(openBackend('s4:bucket')).rejects.toMatchObject({ name: 'VmlError', code: 'E_USAGE' });
  });

  it('cleanTempFiles() reaches the dir backend through the wrappers', async () => {
    const be = await openBackend(`dir:${join(tmp, 'lb')}`, { create: true });
    const stale = join(tmp, 'lb', 'keys', '.tmp-crashed');
    await writeFile(stale, 'partial');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(stale, hourAgo, hourAgo);
    expect(await cleanTempFiles(be, 60_000)).toBe(1);
    expect(await readdir(join(tmp, 'lb', 'keys'))).toEqual([]);
    expect(await cleanTempFiles(new MemoryBackend(), 60_000)).toBe(0);
  });
});
