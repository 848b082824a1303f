import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isVmlError } from '../../../../core/errors.js';
import { readToken } from '../../../../logbook/backend/http.js';
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

  it('takes the token from VML_TOKEN, else the first line of VML_TOKEN_FILE, else fails with E_AUTH', async () => {
    expect(readToken({ VML_TOKEN: ' vml_abc \n' })).toBe('vml_abc');
    dir = await mkdtemp(join(tmpdir(), 'vml-token-'));
    const file = join(dir, 'token');
    await writeFile(file, 'vml_fromfile\nignored\n');
    expect(readToken({ VML_TOKEN_FILE: file })).toBe('vml_fromfile');
    expect(errorOf(() => readToken({ VML_TOKEN_FILE: join(dir as string, 'missing') })).code).toBe('E_AUTH');
    const none = errorOf(() => readToken({}));
    expect(none.code).toBe('E_AUTH');
    expect(none.hint).toContain('vml logbook token create');
  });
});
