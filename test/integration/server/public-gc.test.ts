/**
 * gc of the public namespace: three public versions of alice's are published (copied into DIR/public),
 * two are unpublished; `vml logbook gc --public` (the built CLI) and a gc run started on the admin jobs
 * page each free the blobs only the unpublished copy used, and the version still published restores byte
 * for byte with the built agent and passes `check --read-data`. A few seconds.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sanitizerScan } from '../../../host/server/scan.js';
import type { TreeNode } from '../../../logbook/format/tree.js';
import { Logbook } from '../../../logbook/logbook.js';
import { publishVersion } from '../../../logbook/server/public/publish.js';
import { PUBLIC_NAMESPACE } from '../../../logbook/server/storage.js';
import { testVersionFields } from '../../helpers/versions.js';
import { injectSignIn, startWebServer, type WebTestServer } from '../../helpers/web.js';
import { bytesBelow, runAgent } from '../helpers/cli.js';
import { runHost } from './helpers.js';

const KiB = 1024;
let server: WebTestServer;
let admin: string;
/** Each version: one file of its own (random, so it neither compresses nor dedups) and one shared. */
const own = [randomBytes(300 * KiB), randomBytes(300 * KiB), randomBytes(300 * KiB)];
const shared = Buffer.from('shared by every version\n'.repeat(100));

async function publishThree(): Promise<void> {
  const logbook = await Logbook.init(await server.storage.namespace('alice'));
  for (const [i, bytes] of own.entries()) {
    const w = await logbook.beginVersion('alice/e');
    const file = (name: string, data: Buffer) => ({
      name,
      type: 'file' as const,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: '0',
      size: data.length,
    });
    const nodes: TreeNode[] = [
      { ...file(`own-${i}.bin`, bytes), content: [await w.addChunk(bytes)] },
      { ...file('shared.txt', shared), content: [await w.addChunk(shared)] },
    ];
    const tree = await w.addTree({ nodes });
    const fields = testVersionFields(tree, 2, bytes.length + shared.length, 'full-root');
    await w.commit({
      ...fields,
      visibility: 'public',
      sanitization: { from: 'f'.repeat(64), fromVersion: `alice/p@v${i + 1}`, sanitizers: [], findings: [] },
    });
  }
  for (const seq of [1, 2, 3]) {
    await publishVersion(
      { ...server, scan: sanitizerScan },
      { owner: 'alice', version: `alice/e@v${seq}`, actor: 'admin' },
    );
  }
}

const publicData = () => join(server.data, 'public', 'data');

/** Whether the public namespace's index still lists the blob of `bytes`. */
async function publicHolds(bytes: Buffer): Promise<boolean> {
  const logbook = await Logbook.open(await server.storage.namespace(PUBLIC_NAMESPACE));
  return (await logbook.index()).has(createHash('sha256').update(bytes).digest('hex'));
}

beforeAll(async () => {
  server = await startWebServer();
  await server.addUser('root', 'root-password', { admin: true });
  await server.addUser('alice', 'alice-password');
  await publishThree();
  admin = await injectSignIn(server, 'root', 'root-password');
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('gc of the public namespace', () => {
  it('vml logbook gc --public frees the blobs of an unpublished version, --dry-run nothing', async () => {
    expect((await runHost(['logbook', 'unpublish', 'alice/e@v1', '--data', server.data])).code).toBe(0);
    const before = await bytesBelow(publicData());

    const dry = await runHost(['logbook', 'gc', '--public', '--dry-run', '--json', '--data', server.data]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.events).toContainEqual(expect.objectContaining({ type: 'gc-summary', dryRun: true }));
    expect(Number(dry.events.at(-1)?.bytesFreed)).toBeGreaterThan(290 * KiB);
    expect(await bytesBelow(publicData())).toBe(before);

    const run = await runHost(['logbook', 'gc', '--public', '--json', '--data', server.data]);
    expect(run.code, run.stderr).toBe(0);
    expect(Number(run.events.at(-1)?.bytesFreed)).toBeGreaterThan(290 * KiB);
    expect(await bytesBelow(publicData())).toBeLessThan(before - 290 * KiB);
    expect(await publicHolds(own[0] as Buffer)).toBe(false);
    expect(await publicHolds(own[1] as Buffer)).toBe(true);
    expect(await publicHolds(shared)).toBe(true);
    // The owner's own namespace is not touched by a gc of the public one.
    expect((await (await Logbook.open(await server.storage.namespace('alice'))).versions()).length).toBe(3);
  });

  it('refuses a command that names no namespace or two', async () => {
    expect((await runHost(['logbook', 'gc', '--data', server.data])).code).toBe(2);
    expect((await runHost(['logbook', 'gc', 'alice', '--public', '--data', server.data])).code).toBe(2);
    const unknown = await runHost(['logbook', 'gc', 'nobody', '--data', server.data]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no such user');
  });

  it('the admin jobs page runs gc and verify on the public namespace', async () => {
    expect((await runHost(['logbook', 'unpublish', 'alice/e@v2', '--data', server.data])).code).toBe(0);
    const page = await server.app.inject({ method: 'GET', url: '/admin/jobs', headers: { cookie: admin } });
    expect(page.body).toContain(`<option value="${PUBLIC_NAMESPACE}">public (published versions)</option>`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    for (const kind of ['gc', 'check']) {
      const started = await server.app.inject({
        method: 'POST',
        url: '/admin/jobs',
        headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ kind, owner: PUBLIC_NAMESPACE, csrf }).toString(),
      });
      expect(started.statusCode).toBe(303);
      const url = String(started.headers.location);
      let body = '';
      for (let i = 0; i < 100 && !/id="job-result">(ok|problems|failed)</.test(body); i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = (await server.app.inject({ method: 'GET', url, headers: { cookie: admin } })).body;
      }
      expect(body).toContain('id="job-result">ok<');
      expect(body).toContain('of the public namespace started by root');
    }
    expect(await publicHolds(own[1] as Buffer)).toBe(false);
    expect(await publicHolds(own[2] as Buffer)).toBe(true);
  });

  it('the version still published restores byte for byte and checks clean', async () => {
    const logbook = `dir:${join(server.data, 'public')}`;
    const check = await runAgent(['check', '--read-data', '--logbook', logbook, '--json']);
    expect(check.code, check.stderr).toBe(0);
    const root = await mkdtemp(join(tmpdir(), 'vml-public-gc-'));
    try {
      const restore = await runAgent([
        'restore',
        'alice/e@v3',
        '--root',
        root,
        '--logbook',
        logbook,
        '--json',
      ]);
      expect([0, 3], restore.stderr).toContain(restore.code);
      expect(await readFile(join(root, 'own-2.bin'))).toEqual(own[2]);
      expect(await readFile(join(root, 'shared.txt'))).toEqual(shared);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
