/**
 * sanitizerScan, the server's ContentScan from the sanitizers' content scanners: it finds a private key and
 * a Kerberos ticket cache wherever they are in a version read from a logbook, and nothing in clean files.
 * The dirty files are the content-signatures sanitizer's own planted examples (obviously fake).
 */
import { describe, expect, it } from 'vitest';
import { sanitizerScan } from '../../../../host/server/scan.js';
import { MemoryBackend } from '../../../../logbook/backend/memory.js';
import { Logbook } from '../../../../logbook/logbook.js';
import { contentSignatures } from '../../../../sanitizers/content-signatures.js';
import { commitPublic } from '../../../helpers/versions.js';

describe('sanitizerScan', () => {
  it('reports every planted example of content-signatures, by path and kind, never the value', async () => {
    const logbook = await Logbook.init(new MemoryBackend());
    const dirty = contentSignatures.examples.dirty;
    const files = Object.fromEntries(dirty.map((s) => [s.path, s.content]));
    const made = await commitPublic(logbook, 'alice/t', { ...files, 'home/alice/README': 'plain notes' });
    const findings = await sanitizerScan.scanVersion(logbook, made.manifest);
    expect(new Set(findings.map((f) => f.path))).toEqual(new Set(dirty.map((s) => s.path)));
    for (const f of findings) expect(f.type).toMatch(/^[a-z0-9-]+$/);
    const secrets = dirty.flatMap((s) => s.secrets ?? []);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(JSON.stringify(findings)).not.toContain(secret);
  });

  it('finds nothing in clean files, and changes nothing in the logbook', async () => {
    const logbook = await Logbook.init(new MemoryBackend());
    const clean = contentSignatures.examples.clean;
    const files = Object.fromEntries(clean.map((s) => [s.path, s.content]));
    const made = await commitPublic(logbook, 'alice/t', files);
    expect(await sanitizerScan.scanVersion(logbook, made.manifest)).toEqual([]);
    expect((await logbook.versions()).map((v) => v.id)).toEqual([made.id]);
  });
});
