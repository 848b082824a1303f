import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isVmlError } from '../../../../core/errors.js';
import { readToken } from '../../../../logbook/backend/http-token.js';
import { findBackend, httpFactory, httpsFactory } from '../../../../logbook/backend/registry.js';

function errorOf(run: () => unknown): { code: string; message: string; hint?: string | undefined } {
  try {
    run();
  } catch (error) {
    if (isVmlError(error)) return error;
    throw error;
  }
  throw new Error('expected a VmlError');
}

describe('http backend location and token', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('http:// and https:// locations find the server backend, without a trailing slash', () => {
    expect(findBackend('http://127.0.0.1:8420').scheme).toBe('http');
    expect(findBackend('HTTPS://vml.example.org/logbook/').scheme).toBe('https');
    expect(httpsFactory.parse('https://vml.example.org/logbook/').target).toBe(
      'https://vml.example.org/logbook',
    );
    expect(httpFactory.parse('http://[::1]:8420').target).toBe('http://[::1]:8420');
  });

  it('refuses a location with credentials, and never repeats the password', () => {
    const error = errorOf(() => httpFactory.parse('http://alice:hunter2@host:8420'));
    expect(error.code).toBe('E_USAGE');
    expect(error.message).not.toContain('hunter2');
    expect(error.hint).toContain('VML_TOKEN');
    expect(errorOf(() => httpFactory.parse('http://host:8420/?token=abc')).code).toBe('E_USAGE');
  });

  it('takes the token from --token-file, else VML_TOKEN, else the first line of VML_TOKEN_FILE, else none', async () => {
    expect(readToken({ env: { VML_TOKEN: ' vml_abc \n' } })).toBe('vml_abc');
    dir = await mkdtemp(join(tmpdir(), 'vml-token-'));
    const file = join(dir, 'token');
    await writeFile(file, 'vml_fromfile\nignored\n', { mode: 0o600 });
    expect(readToken({ env: { VML_TOKEN_FILE: file } })).toBe('vml_fromfile');
    expect(readToken({ tokenFile: file, env: { VML_TOKEN: 'vml_env' } })).toBe('vml_fromfile');
    const missing = errorOf(() => readToken({ env: { VML_TOKEN_FILE: join(dir as string, 'missing') } }));
    expect(missing.code).toBe('E_AUTH');
    expect(missing.message).toContain('VML_TOKEN_FILE');
    expect(missing.hint).toContain('vml logbook token create');
    // No token at all is no error here: requests go without one (anonymous public reads), and a server
    // that needs one answers 401, which HttpBackend explains.
    expect(readToken({ env: {} })).toBeUndefined();
  });

  it('refuses a token file readable by the group or others, without printing the token', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vml-token-'));
    const file = join(dir, 'token');
    await writeFile(file, 'vml_secretvalue\n');
    for (const mode of [0o644, 0o640, 0o604]) {
      await chmod(file, mode);
      const error = errorOf(() => readToken({ tokenFile: file, env: {} }));
      expect(error.code).toBe('E_AUTH');
      expect(error.message).toContain(`mode is 0${mode.toString(8)}`);
      expect(error.message).toContain('--token-file');
      expect(error.hint).toContain('chmod 600');
      expect(`${error.message} ${error.hint}`).not.toContain('vml_secretvalue');
    }
    await chmod(file, 0o400);
    expect(readToken({ tokenFile: file, env: {} })).toBe('vml_secretvalue');
    await writeFile(join(dir, 'empty'), '', { mode: 0o600 });
    expect(errorOf(() => readToken({ tokenFile: join(dir as string, 'empty'), env: {} })).message).toContain(
      'is empty',
    );
  });
});
