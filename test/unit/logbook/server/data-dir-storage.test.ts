import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isVmlError } from '../../../../core/errors.js';
import { openServerData } from '../../../../logbook/server/data-dir.js';

describe('openServerData storage', () => {
  let T: string;
  beforeEach(async () => {
    T = await mkdtemp(join(tmpdir(), 'vml-data-storage-'));
  });
  afterEach(async () => {
    await rm(T, { recursive: true, force: true });
  });

  it('keeps logbooks under --data by default, and under PATH with dir:PATH', async () => {
    const plain = await openServerData(join(T, 'a'));
    await plain.storage.namespace('alice');
    await plain.close();
    expect(existsSync(join(T, 'a/owners/alice/snapshots'))).toBe(true);

    const moved = await openServerData(join(T, 'b'), {}, `dir:${join(T, 'logbooks')}`);
    await moved.storage.namespace('alice');
    await moved.close();
    expect(existsSync(join(T, 'logbooks/owners/alice/snapshots'))).toBe(true);
    expect(existsSync(join(T, 'b/owners'))).toBe(false);
  });

  it('refuses an unknown storage scheme with E_USAGE, hiding a password', async () => {
    const error = await openServerData(join(T, 'c'), {}, 'ftp://bob:pw-visible@host/x').catch(
      (e: unknown) => e,
    );
    expect(isVmlError(error) && error.code).toBe('E_USAGE');
    expect(String((error as Error).message)).not.toContain('pw-visible');
  });

  it('asks for S3 credentials before touching the network', async () => {
    const saved = { ...process.env };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'VML_S3_CREDENTIALS'])
      delete process.env[k];
    try {
      const error = await openServerData(join(T, 'd'), {}, 's3://127.0.0.1:1/vml').catch((e: unknown) => e);
      expect(isVmlError(error) && error.code).toBe('E_AUTH');
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
