import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVmlError } from '../../../../core/errors.js';
import { isBackendError } from '../../../../logbook/backend/backend.js';
import { stripCredentials } from '../../../../logbook/backend/open.js';
import { findBackend } from '../../../../logbook/backend/registry.js';
import { parseS3Location, readS3Credentials, s3Error } from '../../../../logbook/backend/s3-location.js';

function errorOf(run: () => unknown): { code: string; message: string; hint?: string | undefined } {
  try {
    run();
  } catch (error) {
    if (isVmlError(error)) return error;
    throw error;
  }
  throw new Error('expected a VmlError');
}

describe('s3 locations', () => {
  it('parses host, port, bucket and prefix; s3 is HTTP, s3s HTTPS', () => {
    expect(parseS3Location('s3://127.0.0.1:7480/vml-logbooks/team/alice/')).toEqual({
      endpoint: 'http://127.0.0.1:7480',
      bucket: 'vml-logbooks',
      prefix: 'team/alice',
      display: 's3://127.0.0.1:7480/vml-logbooks/team/alice',
    });
    expect(parseS3Location('s3s://s3.cern.ch/vml')).toMatchObject({
      endpoint: 'https://s3.cern.ch',
      bucket: 'vml',
      prefix: '',
    });
    expect(findBackend('s3://h:1/vml').scheme).toBe('s3');
    expect(findBackend('s3s://h/vml').scheme).toBe('s3s');
  });

  it('refuses credentials in the location without echoing them', () => {
    const error = errorOf(() => parseS3Location('s3://AKIA:topsecret@127.0.0.1:7480/vml'));
    expect(error.code).toBe('E_USAGE');
    expect(error.message).not.toContain('topsecret');
    expect(error.hint).toContain('AWS_ACCESS_KEY_ID');
    expect(stripCredentials('s3://AKIA:topsecret@127.0.0.1:7480/vml')).toBe('s3://127.0.0.1:7480/vml');
  });

  it('refuses a missing or invalid bucket, an unsafe prefix and query strings', () => {
    for (const bad of [
      's3://host:1',
      's3://host:1/Upper',
      's3://host:1/ab',
      's3://host:1/vml/../x',
      's3://h/vml?tls=1',
    ]) {
      expect(errorOf(() => parseS3Location(bad)).code, bad).toBe('E_USAGE');
    }
  });
});

describe('s3 credentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vml-s3-cred-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the AWS variables first', () => {
    expect(
      readS3Credentials({ AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'sk', VML_S3_CREDENTIALS: '/x' }),
    ).toEqual({
      accessKeyId: 'id',
      secretAccessKey: 'sk',
    });
  });

  it('reads the [default] section of an AWS credentials file', async () => {
    const file = join(dir, 'cred');
    await writeFile(
      file,
      '[other]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[default]\n' +
        'aws_access_key_id = AK1\naws_secret_access_key = S/K+1=\n',
    );
    expect(readS3Credentials({ VML_S3_CREDENTIALS: file })).toEqual({
      accessKeyId: 'AK1',
      secretAccessKey: 'S/K+1=',
    });
  });

  it('is E_AUTH with a hint when there are none, or the file lacks the secret, never quoting a key', async () => {
    expect(errorOf(() => readS3Credentials({})).code).toBe('E_AUTH');
    const file = join(dir, 'half');
    await writeFile(file, 'aws_access_key_id = VISIBLEID\n');
    const error = errorOf(() => readS3Credentials({ VML_S3_CREDENTIALS: file }));
    expect(error.code).toBe('E_AUTH');
    expect(error.message).not.toContain('VISIBLEID');
    expect(errorOf(() => readS3Credentials({ VML_S3_CREDENTIALS: join(dir, 'absent') })).code).toBe('E_AUTH');
  });
});

// Errors shaped as the SDK throws them (name + $metadata.httpStatusCode); the radosgw contract test sees the
// real NoSuchKey, InvalidRange, SignatureDoesNotMatch and refused connections.
describe('s3Error', () => {
  const sdk = (name: string, status?: number) =>
    Object.assign(new Error(name), {
      name,
      ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    });
  const codeOf = (error: Error) => (isBackendError(error) || isVmlError(error) ? error.code : 'other');

  it('maps S3 answers to what the logbook expects', () => {
    const cases: [Error, string][] = [
      [sdk('NoSuchKey', 404), 'NOT_FOUND'],
      [sdk('NoSuchBucket', 404), 'NOT_FOUND'],
      [sdk('InvalidRange', 416), 'RANGE'],
      [sdk('AccessDenied', 403), 'DENIED'],
      [sdk('SignatureDoesNotMatch', 403), 'E_AUTH'],
      [sdk('InvalidAccessKeyId', 403), 'E_AUTH'],
      [sdk('SlowDown', 503), 'TRANSIENT'],
      [sdk('InternalError', 500), 'TRANSIENT'],
      [sdk('ConditionalRequestConflict', 409), 'TRANSIENT'],
      [Object.assign(new Error('connect'), { code: 'ECONNRESET' }), 'TRANSIENT'],
      [sdk('InvalidArgument', 400), 'E_IO'],
    ];
    for (const [error, code] of cases)
      expect(codeOf(s3Error(error, '"data/x"', undefined)), error.name).toBe(code);
  });

  it("passes an abort through as the signal's reason", () => {
    const reason = new Error('stop');
    expect(s3Error(sdk('AbortError'), '"data/x"', AbortSignal.abort(reason))).toBe(reason);
  });
});
