import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../../core/errors.js';
import { DEFAULT_CHUNKER } from '../../../../logbook/format/chunker.js';
import {
  decodeConfig,
  encodeConfig,
  LOGBOOK_FORMAT,
  LOGBOOK_MAGIC,
  newConfig,
} from '../../../../logbook/format/config.js';

/** Matches a VmlError with this code (callers branch on codes, never on messages). */
const vmlError = (code: ErrorCode) => expect.objectContaining({ name: 'VmlError', code });

const enc = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('newConfig(), encodeConfig() and decodeConfig()', () => {
  it('read back what was written', () => {
    const config = newConfig();
    expect(decodeConfig(encodeConfig(config), '/srv/vml')).toEqual(config);
  });

  it('write the magic, format 1, a random id, the creation time and the chunker', () => {
    const a = newConfig();
    expect(a).toMatchObject({ magic: 'vml-logbook', format: 1, chunker: DEFAULT_CHUNKER });
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(newConfig().id).not.toBe(a.id);
    expect(Date.parse(a.created)).not.toBeNaN();
    expect([LOGBOOK_MAGIC, LOGBOOK_FORMAT]).toEqual(['vml-logbook', 1]);
  });

  it('refuse JSON of another program with E_LOGBOOK_FOREIGN', () => {
    const restic = { version: 2, id: 'x', chunker_polynomial: '3dea92648f6e83' };
    expect(() => decodeConfig(enc(restic), '/srv/vml')).toThrow(vmlError('E_LOGBOOK_FOREIGN'));
    expect(() => decodeConfig(enc(null), '/srv/vml')).toThrow(vmlError('E_LOGBOOK_FOREIGN'));
    expect(() => decodeConfig(enc([]), '/srv/vml')).toThrow(vmlError('E_LOGBOOK_FOREIGN'));
  });

  it('refuse bytes that are not JSON with E_LOGBOOK_FOREIGN', () => {
    expect(() => decodeConfig(new TextEncoder().encode('[core]\nbare = true\n'), '/srv/vml')).toThrow(
      vmlError('E_LOGBOOK_FOREIGN'),
    );
  });

  it('refuse a newer format with E_LOGBOOK_NEWER naming both formats', () => {
    const newer = { ...newConfig(), format: LOGBOOK_FORMAT + 1 };
    expect(() => decodeConfig(enc(newer), '/srv/vml')).toThrow(vmlError('E_LOGBOOK_NEWER'));
    expect(() => decodeConfig(enc(newer), '/srv/vml')).toThrow(/format 2, this VML reads up to 1/);
  });

  it('refuse a config without a numeric format with E_LOGBOOK_NEWER', () => {
    expect(() => decodeConfig(enc({ ...newConfig(), format: '1' }), '/srv/vml')).toThrow(
      vmlError('E_LOGBOOK_NEWER'),
    );
  });

  it('name the logbook in the error', () => {
    expect(() => decodeConfig(enc({}), '/srv/vml')).toThrow('"/srv/vml"');
  });
});
