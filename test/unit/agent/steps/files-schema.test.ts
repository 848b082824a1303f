import { describe, expect, it } from 'vitest';
import { filesStepSchema, parseByteSize } from '../../../../agent/steps/files-schema.js';

const messages = (value: unknown) =>
  filesStepSchema.safeParse(value).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);

describe('filesStepSchema', () => {
  it('defaults oneFileSystem to false', () => {
    expect(filesStepSchema.parse({ include: ['{home}/**'] })).toEqual({
      include: ['{home}/**'],
      oneFileSystem: false,
    });
  });

  it('rejects an empty include list', () => {
    expect(messages({ include: [] })).toEqual([['include', 'must list at least one glob']]);
  });

  it('rejects absolute globs, ".." segments and {home} in the middle', () => {
    expect(messages({ include: ['/etc/**', 'a/../b', 'x/{home}/y', '{home}/ok'] })).toEqual([
      ['include.0', 'must be relative to the root, like "etc/**"'],
      ['include.1', 'must not contain ".." segments'],
      ['include.2', '"{home}" is only allowed as the leading "{home}/"'],
    ]);
  });

  it('rejects a maxFileSize that is not a size', () => {
    expect(messages({ include: ['**'], maxFileSize: 'big' })?.[0]?.[0]).toBe('maxFileSize');
    expect(filesStepSchema.safeParse({ include: ['**'], maxFileSize: '2GiB' }).success).toBe(true);
  });
});

describe('parseByteSize()', () => {
  it('reads binary and decimal units', () => {
    expect(parseByteSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseByteSize('500 MB')).toBe(500_000_000);
    expect(parseByteSize('1024')).toBe(1024);
    expect(parseByteSize('1.5K')).toBe(1536);
  });

  it('returns undefined for text that is not a size', () => {
    expect(parseByteSize('2 parsecs')).toBeUndefined();
    expect(parseByteSize('')).toBeUndefined();
    expect(parseByteSize('-1GiB')).toBeUndefined();
  });
});
