/**
 * The public namespace end to end: a real `vml logbook serve` process, the built agent, real credentials
 * (openssl keys). Alice publishes with `vml-agent publish --public`; Bob (a read token) restores it from
 * http://…/public byte for byte minus what was sanitized, while Alice's namespace is moved away (so the
 * read cannot have touched it), and still cannot read her private versions. A hand-made public manifest
 * without a report, or with attachments, and a public version whose files still hold a real key are
 * refused, with nothing in the public namespace. Unpublish, publish again, delete, anonymous reading.
 * About 30 s (key generation, five agent runs that chunk and compress).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBackend } from '../../../logbook/backend/http.js';
import type { Manifest } from '../../../logbook/format/manifest.js';
import type { TreeNode } from '../../../logbook/format/tree.js';
import { Logbook } from '../../../logbook/logbook.js';
import { openMetadata } from '../../../logbook/server/database.js';
import { binaryArtifact, makeGridCredentials, startKdc } from '../../helpers/credentials.js';
import { makeGuestRoot, runAgent, treeSnapshot } from '../helpers/cli.js';
import { createToken, type RunningServer, runHost, startServer, stopServer } from './helpers.js';

let T: string;
let data: string;
let root: string;
let server: RunningServer;
let alice: string;
let bob: string;
/** The real encrypted PKCS#8 key, and a run of its bytes that must never be published. */
let key: { bytes: Buffer; secret: Buffer };
/** A real Kerberos ticket cache (kinit against a throwaway KDC). */
let ticket: { bytes: Buffer; secret: Buffer };

const tokenFor = (user: string, scope: string) => createToken(data, user, scope);

/** The agent as Alice on her root, or as anyone on any root and location. */
const agent = (args: string[], o: { token?: string; rootDir?: string; location?: string } = {}) =>
  runAgent(
    [
      ...args,
      '--root',
      o.rootDir ?? root,
      '--logbook',
      o.location ?? server.url,
      '--entry',
      'alice/test',
      '--json',
    ],
    { env: { VML_TOKEN: o.token ?? alice }, timeoutMs: 120_000 },
  );

const publicUrl = () => `${server.url}/public`;
const publicSnapshots = async () => (await readdir(join(data, 'public/snapshots')).catch(() => [])).sort();

async function versionsAt(location: string, token: string): Promise<string[]> {
  const log = await agent(['log'], { token, location });
  expect(log.code, log.stderr).toBe(0);
  return log.events.filter((e) => e.type === 'version').map((e) => `${e.entry}@v${e.seq}`);
}

async function api(path: string, init: { method?: string; token?: string; body?: Uint8Array } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/octet-stream';
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, text: await response.text() };
}

/** Saves `manifest` into Alice's namespace under its SHA-256, as the agent would. */
async function saveManifest(manifest: unknown) {
  const bytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const id = createHash('sha256').update(bytes).digest('hex');
  return api(`/api/v1/files/snapshots/${id}`, { method: 'POST', token: alice, body: bytes });
}

/** The audit log's publish and unpublish lines: actor, action, target. */
async function audited(): Promise<string[][]> {
  const metadata = await openMetadata(data);
  try {
    return (await metadata.listAudit())
      .filter((a) => a.action === 'publish' || a.action === 'unpublish')
      .map((a) => [a.actor, a.action, a.target]);
  } finally {
    await metadata.close();
  }
}

/**
 * Writes a public version of alice/test holding `files` straight through the API (Logbook on the http
 * backend, in this process): its name, or the error the server answered.
 */
async function writeVersion(files: Record<string, Buffer>, sanitization: Manifest['sanitization']) {
  const logbook = await Logbook.open(new HttpBackend(server.url, alice));
  const writer = await logbook.beginVersion('alice/test');
  try {
    const addDir = async (prefix: string): Promise<string> => {
      const names = new Map<string, TreeNode>();
      for (const [path, bytes] of Object.entries(files)) {
        if (!path.startsWith(prefix)) continue;
        const [name, ...rest] = path.slice(prefix.length).split('/');
        if (name === undefined || names.has(name)) continue;
        const base = { name, mode: 0o644, uid: 1000, gid: 1000, mtime: '0' };
        names.set(
          name,
          rest.length === 0
            ? { ...base, type: 'file', size: bytes.length, content: [await writer.addChunk(bytes)] }
            : { ...base, type: 'dir', mode: 0o755, subtree: await addDir(`${prefix}${name}/`) },
        );
      }
      return writer.addTree({ nodes: [...names.values()] });
    };
    const tree = await addDir('');
    const stats = {
      files: Object.keys(files).length,
      dirs: 0,
      bytes: 0,
      filesRead: 0,
      bytesRead: 0,
      seconds: 0,
    };
    const made = await writer.commit({
      time: new Date().toISOString(),
      reason: 'manual',
      visibility: 'public',
      recipe: { name: 'home', hash: '0'.repeat(64) },
      host: 'test',
      user: 'alice',
      root: '/',
      steps: {},
      tree,
      sanitization,
      stats,
    });
    return `${made.manifest.entry}@v${made.manifest.seq}`;
  } catch (error) {
    return error as Error;
  }
}

/** The published-versions table: id, entry, seq, publisher. */
async function publishedRecords(): Promise<unknown[][]> {
  const metadata = await openMetadata(data);
  try {
    return (await metadata.listPublished()).map((p) => [p.id, p.entry, p.seq, p.publisher]);
  } finally {
    await metadata.close();
  }
}

async function manifestOf(id: string): Promise<Record<string, unknown>> {
  return JSON.parse((await api(`/api/v1/files/snapshots/${id}`, { token: alice })).text);
}

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-public-it-'));
  data = join(T, 'server');
  const grid = await makeGridCredentials(join(T, 'grid'));
  key = grid.userKey;
  const kdc = await startKdc(join(T, 'kdc'));
  try {
    await kdc.addPrincipal('alice', 'vml-test-krb-pw');
    await kdc.kinit('alice', 'vml-test-krb-pw', `FILE:${join(T, 'krb5cc')}`);
  } finally {
    await kdc.stop();
  }
  ticket = await binaryArtifact(join(T, 'krb5cc'));
  root = await makeGuestRoot(join(T, 'root'), {
    'home/alice/analysis/run.py': 'import ROOT\nprint("fit")\n',
    'home/alice/analysis/README.md': '# Higgs to WW\nRun run.py.\n',
    'home/alice/notes/a.txt': 'a\n'.repeat(5000),
    'home/alice/.bash_history': 'cd analysis\npython run.py\n',
    'home/alice/analysis/db.cfg': '[db]\nhost = dbod.cern.ch\npassword = VmlFakeDbPass9\n',
    'home/alice/.globus/usercert.pem': grid.userCert,
    'home/alice/.globus/userkey.pem': { content: grid.userKey.bytes, mode: 0o600 },
  });
  server = await startServer(data);
  for (const user of ['alice', 'bob'])
    expect((await runHost(['logbook', 'user', 'add', user, '--data', data])).code).toBe(0);
  alice = await tokenFor('alice', 'full');
  bob = await tokenFor('bob', 'read');
  expect((await agent(['init', '--no-config'])).code).toBe(0);
  const backup = await agent(['backup', '--message', 'private']);
  expect(backup.code, backup.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (server) await stopServer(server);
  if (T) await rm(T, { recursive: true, force: true });
});

describe('public versions on the logbook server', () => {
  let publicId: string;
  /** What publish reported, as "path action". */
  let findings: string[];

  it('vml-agent publish --public is accepted and copied into the public namespace', async () => {
    const published = await agent(['publish', 'alice/test@v1', '--public']);
    expect(published.code, published.stderr).toBe(0);
    const summary = published.events.find((e) => e.type === 'publish-summary');
    expect(summary?.version).toBe('alice/test@v2');
    publicId = String(summary?.id);
    findings = published.events
      .filter((e) => e.type === 'publish-finding')
      .map((e) => `${e.path} ${e.action}`);
    expect(findings).toEqual(
      expect.arrayContaining(['home/alice/.bash_history delete', 'home/alice/analysis/db.cfg redact']),
    );
    expect(await publicSnapshots()).toEqual([publicId]);
    expect(await audited()).toEqual([['alice', 'publish', `alice/test@v2 (${publicId.slice(0, 8)})`]]);
    expect(await publishedRecords()).toEqual([[publicId, 'alice/test', 2, 'alice']]);
  });

  it("Bob restores it from /public byte for byte minus what was sanitized, without Alice's namespace", async () => {
    expect(await versionsAt(publicUrl(), bob)).toEqual(['alice/test@v2']);
    // With Alice's namespace gone, a read that touched it would fail.
    const aside = join(T, 'alice-aside');
    await rename(join(data, 'owners/alice'), aside);
    try {
      const target = await makeGuestRoot(join(T, 'bob-root'));
      const restore = await agent(['restore', 'alice/test@v2'], {
        token: bob,
        rootDir: target,
        location: publicUrl(),
      });
      // Exit 3: done, with warnings for the grid certificate and key, which no public version holds.
      expect(restore.code, restore.stdout).toBe(3);
      const warned = restore.events.filter((e) => e.type === 'warning').map((e) => String(e.message));
      expect(warned).toEqual([
        expect.stringContaining('home/alice/.globus/usercert.pem (grid-user-cert)'),
        expect.stringContaining('home/alice/.globus/userkey.pem (grid-user-key)'),
      ]);
      // Everything else byte for byte; the history deleted, the password cut out of db.cfg.
      const sanitized = ['.bash_history', 'analysis/db.cfg'];
      const expected = await treeSnapshot(join(root, 'home/alice'), {
        exclude: (p) => p.startsWith('.globus/') || sanitized.includes(p),
      });
      const restored = await treeSnapshot(join(target, 'home/alice'), {
        exclude: (p) => p === 'analysis/db.cfg',
      });
      expect(restored).toEqual(expected);
      const cfg = await readFile(join(target, 'home/alice/analysis/db.cfg'), 'utf8');
      expect(cfg).toContain('host = dbod.cern.ch');
      expect(cfg).not.toContain('VmlFakeDbPass9');
      expect(expected.some((e) => e.path === 'analysis/run.py')).toBe(true);
    } finally {
      await rename(aside, join(data, 'owners/alice'));
    }
  });

  it("restoring from /public over Bob's own files is refused with a way out, changing nothing", async () => {
    const target = await makeGuestRoot(join(T, 'bob-changed'), {
      'home/alice/analysis/run.py': 'print("Bob changed this")\n',
    });
    // /public takes no safety version of what would be overwritten, and nothing may be lost.
    const refused = await agent(['restore', 'alice/test@v2'], {
      token: bob,
      rootDir: target,
      location: publicUrl(),
    });
    expect(refused.code, refused.stderr).toBe(12);
    expect(refused.error?.message).toContain('refused the safety version');
    expect(refused.error?.hint).toContain('empty directory');
    expect(await readFile(join(target, 'home/alice/analysis/run.py'), 'utf8')).toBe(
      'print("Bob changed this")\n',
    );
    expect(await publicSnapshots()).toEqual([publicId]);
  });

  it("Bob still cannot read Alice's private versions, and cannot write into /public", async () => {
    const own = await agent(['log'], { token: bob });
    expect(own.code).toBe(10); // his own namespace: no logbook; Alice's is not reachable at all
    const target = await makeGuestRoot(join(T, 'bob-private'));
    const restore = await agent(['restore', 'alice/test@v1'], {
      token: bob,
      rootDir: target,
      location: publicUrl(),
    });
    expect(restore.code).toBe(1);
    expect(restore.error?.error).toBe('E_NOT_FOUND');
    const full = await tokenFor('bob', 'full');
    const write = await api(`/public/api/v1/files/snapshots/${publicId}`, { method: 'DELETE', token: full });
    expect(write.status).toBe(403);
    expect(JSON.parse(write.text).code).toBe('DENIED');
    expect(await publicSnapshots()).toEqual([publicId]);
  });

  it('a hand-made public manifest without a sanitization report, or with attachments, is refused', async () => {
    const log = await agent(['log']);
    const v1 = String(log.events.find((e) => e.type === 'version' && e.seq === 1)?.id);
    const privateManifest = await manifestOf(v1);
    const noReport = await saveManifest({ ...privateManifest, seq: 7, visibility: 'public' });
    expect(noReport.status).toBe(400);
    expect(JSON.parse(noReport.text).error).toMatch(/carries no sanitization report/);
    const publicManifest = await manifestOf(publicId);
    const withVault = await saveManifest({ ...publicManifest, seq: 8, attachments: privateManifest.tree });
    expect(withVault.status).toBe(400);
    expect(JSON.parse(withVault.text).error).toMatch(/has attachments/);
    expect(await publicSnapshots()).toEqual([publicId]);
    expect(await versionsAt(server.url, alice)).toEqual(['alice/test@v1', 'alice/test@v2']);
  });

  it('a public version whose files still hold a real key or ticket is refused, naming path and type only', async () => {
    // Made by hand through the API, as a modified agent could: the agent itself never puts them there.
    const report = { from: '0'.repeat(64), fromVersion: 'alice/test@v1', sanitizers: [], findings: [] };
    const dirty = await writeVersion(
      {
        'home/alice/notes/ok.txt': Buffer.from('fine\n'),
        'home/alice/old/backup-of-key.txt': key.bytes,
        'tmp/krb5cc_1000': ticket.bytes,
      },
      report,
    );
    expect(dirty).toBeInstanceOf(Error);
    const message = String((dirty as Error).message);
    expect(message).toMatch(/content scan found/);
    expect(message).toContain('home/alice/old/backup-of-key.txt (');
    expect(message).toContain('tmp/krb5cc_1000 (kerberos-ccache)');
    expect(message).not.toContain(key.secret.toString('latin1').slice(0, 24));
    expect(message).not.toContain('BEGIN ENCRYPTED');
    expect(await publicSnapshots()).toEqual([publicId]);
    expect(await versionsAt(server.url, alice)).toEqual(['alice/test@v1', 'alice/test@v2']);
    // The public namespace holds no byte of the key or the ticket.
    const files = await readdir(join(data, 'public'), { recursive: true, withFileTypes: true });
    for (const f of files.filter((e) => e.isFile())) {
      const bytes = await readFile(join(f.parentPath, f.name));
      expect(bytes.includes(key.secret) || bytes.includes(ticket.secret), f.name).toBe(false);
    }
    // The same by hand without them is accepted: the scan refuses what it finds, not hand-made versions.
    const clean = await writeVersion({ 'home/alice/notes/ok.txt': Buffer.from('fine\n') }, report);
    expect(clean).toBe('alice/test@v3');
    expect((await publicSnapshots()).length).toBe(2);
    const del = await agent(['delete', 'alice/test@v3', '--yes']);
    expect(del.code, del.stderr).toBe(0);
    expect(await publicSnapshots()).toEqual([publicId]);
  });

  it('unpublish removes it for Bob; publish copies it back; both audited', async () => {
    const dry = await runHost([
      'logbook',
      'unpublish',
      'alice/test@v2',
      '--dry-run',
      '--data',
      data,
      '--json',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.events[0]).toMatchObject({ type: 'server-public', action: 'unpublish', dryRun: true });
    expect(await versionsAt(publicUrl(), bob)).toEqual(['alice/test@v2']);
    const un = await runHost(['logbook', 'unpublish', 'alice/test@v2', '--data', data, '--json']);
    expect(un.code, un.stderr).toBe(0);
    expect(await publicSnapshots()).toEqual([]);
    expect(await publishedRecords()).toEqual([]);
    const gone = await agent(['restore', 'alice/test@v2'], {
      token: bob,
      rootDir: await makeGuestRoot(join(T, 'bob-gone')),
      location: publicUrl(),
    });
    expect(gone.code).not.toBe(0);
    expect(await versionsAt(server.url, alice)).toContain('alice/test@v2'); // the owner keeps it
    const again = await runHost(['logbook', 'publish', 'alice/test@v2', '--data', data, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(await versionsAt(publicUrl(), bob)).toEqual(['alice/test@v2']);
    expect(await publishedRecords()).toEqual([[publicId, 'alice/test', 2, 'admin']]);
    expect((await audited()).slice(-2)).toEqual([
      ['admin', 'unpublish', `alice/test@v2 (${publicId.slice(0, 8)})`],
      ['admin', 'publish', `alice/test@v2 (${publicId.slice(0, 8)})`],
    ]);
    const notPublic = await runHost(['logbook', 'publish', 'alice/test@v1', '--data', data, '--json']);
    expect(notPublic.code).toBe(2);
  });

  it("deleting the owner's public version unpublishes it", async () => {
    const del = await agent(['delete', 'alice/test@v2', '--yes']);
    expect(del.code, del.stderr).toBe(0);
    expect(await publicSnapshots()).toEqual([]);
    expect(await versionsAt(publicUrl(), bob)).toEqual([]);
    expect(await publishedRecords()).toEqual([]);
    expect((await audited()).at(-1)).toEqual([
      'alice',
      'unpublish',
      `alice/test@v2 (${publicId.slice(0, 8)})`,
    ]);
  });

  it('reading without a token works only with --public-anonymous, and never writes', async () => {
    const list = '/public/api/v1/files/config/';
    expect((await api(list)).status).toBe(401);
    await stopServer(server);
    server = await startServer(data, 0, ['--public-anonymous']);
    expect((await api(list)).status).toBe(200);
    expect((await api('/public/api/v1/files/config/config')).status).toBe(200);
    expect((await api(list, { token: `${bob.slice(0, -3)}xyz` })).status).toBe(401); // a bad token is still bad
    expect((await api('/api/v1/files/config/')).status).toBe(401); // owners' namespaces still need a token
    const write = await api('/public/api/v1/files/keys/k1', { method: 'POST', body: new Uint8Array([1]) });
    expect(write.status).toBe(403);
  });
});
