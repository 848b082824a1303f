/**
 * The public namespace with an injected ContentScan (logbook/server/content-scan.ts): publishVersion refuses
 * what the scan reports and copies only what it passes; buildApp() refuses to start without a scan. Real
 * SQLite metadata and dir: namespaces in a temp directory; the scans here are stand-ins that report a fixed
 * answer, to show the server obeys whatever scan it is given (host/server/scan.test.ts tests the real one).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentInsight } from '../../../../../host/server/insight.js';
import type { Manifest } from '../../../../../logbook/format/manifest.js';
import { Logbook } from '../../../../../logbook/logbook.js';
import { buildApp } from '../../../../../logbook/server/app.js';
import type { ContentScan, ScanFinding } from '../../../../../logbook/server/content-scan.js';
import { SqlMetadata } from '../../../../../logbook/server/metadata-sql.js';
import { listPublished, publishVersion } from '../../../../../logbook/server/public/publish.js';
import { SqliteDriver } from '../../../../../logbook/server/sql/sqlite.js';
import { DirStorage } from '../../../../../logbook/server/storage.js';
import { commitPublic } from '../../../../helpers/versions.js';

let data: string;
let metadata: SqlMetadata;
let storage: DirStorage;

beforeEach(async () => {
  data = await mkdtemp(join(tmpdir(), 'vml-injected-scan-'));
  metadata = await SqlMetadata.open(await SqliteDriver.open(join(data, 'vml.db')));
  storage = new DirStorage(data);
});

afterEach(async () => {
  await storage.close();
  await metadata.close();
  await rm(data, { recursive: true, force: true });
});

/** A scan that answers `findings` and records which versions it was asked about. */
function standInScan(findings: readonly ScanFinding[]): ContentScan & { scanned: Manifest[] } {
  const scanned: Manifest[] = [];
  return {
    scanned,
    async scanVersion(_logbook, manifest) {
      scanned.push(manifest);
      return findings;
    },
  };
}

describe('publishVersion with an injected scan', () => {
  it('refuses a version the scan reports, naming path and kind, and copies nothing', async () => {
    const logbook = await Logbook.init(await storage.namespace('alice'));
    const made = await commitPublic(logbook, 'alice/higgs', { 'home/alice/notes.txt': 'hello' });
    const scan = standInScan([{ path: 'home/alice/notes.txt', type: 'planted-kind' }]);
    const attempt = publishVersion(
      { metadata, storage, scan },
      { owner: 'alice', version: 'alice/higgs@v1', actor: 'alice' },
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'E_SANITIZE_FAILED',
      message: expect.stringContaining('home/alice/notes.txt (planted-kind)'),
    });
    expect(scan.scanned.map((m) => m.tree)).toEqual([made.manifest.tree]);
    expect(await listPublished({ metadata, storage })).toEqual([]);
  });

  it('copies a version the scan passes into the public namespace', async () => {
    const logbook = await Logbook.init(await storage.namespace('alice'));
    const made = await commitPublic(logbook, 'alice/higgs', { 'home/alice/notes.txt': 'hello' });
    const scan = standInScan([]);
    await publishVersion(
      { metadata, storage, scan },
      { owner: 'alice', version: 'alice/higgs@v1', actor: 'alice' },
    );
    expect(scan.scanned).toHaveLength(1);
    expect((await listPublished({ metadata, storage })).map((v) => v.id)).toEqual([made.id]);
  });
});

describe('buildApp()', () => {
  it('will not build a server without a content scan', async () => {
    const options = { metadata, storage, insight: agentInsight } as unknown as Parameters<typeof buildApp>[0];
    await expect(buildApp(options)).rejects.toThrow(/needs a content scan/);
  });
});
