import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../../core/errors.js';
import { decodeManifest, encodeManifest, type Manifest } from '../../../../logbook/format/manifest.js';

/** Matches a VmlError with this code (callers branch on codes, never on messages). */
const vmlError = (code: ErrorCode) => expect.objectContaining({ name: 'VmlError', code });

const MANIFEST: Manifest = {
  format: 1,
  entry: 'alice/higgs-ww',
  seq: 7,
  parent: 'b'.repeat(64),
  time: '2026-01-02T03:04:05.678Z',
  reason: 'manual',
  message: 'the interesting result',
  visibility: 'private',
  recipe: { name: 'home', hash: 'c'.repeat(64) },
  host: 'cernvm1',
  user: 'alice',
  root: '/',
  steps: { home: { kind: 'files', facts: { with: { paths: ['~'] } } } },
  tree: 'd'.repeat(64),
  stats: {
    files: 3,
    dirs: 1,
    bytes: 10,
    filesRead: 1,
    bytesRead: 5,
    blobsAdded: 2,
    bytesAdded: 7,
    seconds: 0.5,
  },
};

/** Bytes named by their own hash, as a manifest file would be, whatever they hold. */
function named(text: string): { id: string; bytes: Uint8Array } {
  const bytes = new TextEncoder().encode(text);
  return { id: createHash('sha256').update(bytes).digest('hex'), bytes };
}

describe('encodeManifest() and decodeManifest()', () => {
  it('give the manifest the SHA-256 of its bytes as id', () => {
    const { id, bytes } = encodeManifest(MANIFEST);
    expect(id).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('read back what was written', () => {
    const { id, bytes } = encodeManifest(MANIFEST);
    expect(decodeManifest(bytes, id)).toEqual(MANIFEST);
  });

  it('write plain, indented JSON that ends in a newline', () => {
    const text = new TextDecoder().decode(encodeManifest(MANIFEST).bytes);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "entry": "alice/higgs-ww",\n');
  });

  it('refuse a tampered manifest with E_CORRUPT', () => {
    const { id, bytes } = encodeManifest(MANIFEST);
    const tampered = new TextEncoder().encode(
      new TextDecoder().decode(bytes).replace('"private"', '"public"'),
    );
    expect(() => decodeManifest(tampered, id)).toThrow(vmlError('E_CORRUPT'));
  });

  it('refuse a newer manifest format with E_LOGBOOK_NEWER', () => {
    const { id, bytes } = encodeManifest({ ...MANIFEST, format: 2 });
    expect(() => decodeManifest(bytes, id)).toThrow(vmlError('E_LOGBOOK_NEWER'));
  });

  it('refuse a manifest without a format with E_LOGBOOK_NEWER', () => {
    const { id, bytes } = named(JSON.stringify({ ...MANIFEST, format: undefined }));
    expect(() => decodeManifest(bytes, id)).toThrow(vmlError('E_LOGBOOK_NEWER'));
  });

  it('refuse a manifest without entry, seq or tree with E_CORRUPT', () => {
    for (const field of ['entry', 'seq', 'tree']) {
      const { id, bytes } = named(JSON.stringify({ ...MANIFEST, [field]: undefined }));
      expect(() => decodeManifest(bytes, id)).toThrow(vmlError('E_CORRUPT'));
    }
  });

  it('refuse bytes that are not a JSON object with E_CORRUPT', () => {
    const { id, bytes } = named('{"format": 1,');
    expect(() => decodeManifest(bytes, id)).toThrow(vmlError('E_CORRUPT'));
    for (const text of ['null', '[]', '"text"']) {
      const other = named(text);
      expect(() => decodeManifest(other.bytes, other.id)).toThrow(vmlError('E_CORRUPT'));
    }
  });
});
