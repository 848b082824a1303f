/**
 * S3 storage end to end, on a real one-node Ceph radosgw (test/helpers/ceph.ts): `vml logbook serve --storage
 * s3://…` keeps every logbook in the bucket, the built agent backs up and restores byte-identically through
 * it, user B sees nothing of user A's, and published versions land in the bucket's public/ prefix. The agent
 * also uses an s3:// logbook directly (backup, restore, check --read-data, gc). About 60 s: 12–16 s of Ceph
 * start, the rest CLI starts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBackend } from '../../../logbook/backend/http.js';
import { filePath } from '../../../logbook/server/api-types.js';
import { type CephCluster, startCeph } from '../../helpers/ceph.js';
import { makeGuestRoot, runAgent, treeSnapshot, writeRandomFile } from '../helpers/cli.js';
import { type RunningServer, runHost, startServer, stopServer } from './helpers.js';

let T: string;
let data: string;
let ceph: CephCluster;
let storage: string;
let server: RunningServer;

const admin = (args: string[]) => runHost(['logbook', ...args, '--data', data, '--json']);

async function tokenFor(user: string): Promise<string> {
  if ((await admin(['user', 'list'])).events.every((e) => e.name !== user)) {
    expect((await admin(['user', 'add', user])).code).toBe(0);
  }
  const made = await admin(['token', 'create', user]);
  expect(made.code, made.stderr).toBe(0);
  return String(made.events[0]?.token);
}

const agent = (
  logbook: string,
  args: string[],
  root: string,
  env: Record<string, string>,
  entry = 'alice/test',
) =>
  runAgent([...args, '--root', root, '--logbook', logbook, '--entry', entry, '--json'], {
    env,
    timeoutMs: 120_000,
  });

/** Every key of the bucket under `prefix`. */
async function keysUnder(bucket: string, prefix: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: ceph.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: ceph,
  });
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key ?? '');
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-s3-storage-'));
  data = join(T, 'server');
  ceph = await startCeph();
  storage = `s3://${ceph.hostPort}/vml-server`;
  // The server reads its key pair from a credentials file, as a systemd unit would give it.
  const credentials = join(T, 's3.cred');
  await writeFile(
    credentials,
    `[default]\naws_access_key_id = ${ceph.accessKeyId}\naws_secret_access_key = ${ceph.secretAccessKey}\n`,
    { mode: 0o600 },
  );
  process.env.VML_S3_CREDENTIALS = credentials;
  // The bucket does not exist yet: serve makes it.
  server = await startServer(data, 0, ['--storage', storage]);
}, 90_000);

afterAll(async () => {
  if (server) await stopServer(server);
  await ceph?.stop();
  if (T) await rm(T, { recursive: true, force: true });
});

describe('vml logbook serve --storage s3://', () => {
  it('keeps the logbook in the bucket; the agent restores byte-identical through the server', async () => {
    const token = await tokenFor('alice');
    const root = await makeGuestRoot(join(T, 'root'), {
      'home/alice/.bashrc': 'export PS1="$ "\n',
      'home/alice/notes/a.txt': 'a\n'.repeat(1000),
    });
    await writeRandomFile(join(root, 'home/alice/data/seed.bin'), 3 * 1024 * 1024);
    const env = { VML_TOKEN: token };
    expect((await agent(server.url, ['init', '--no-config'], root, env)).code).toBe(0);
    const backup = await agent(server.url, ['backup', '--message', 'into ceph'], root, env);
    expect(backup.code, backup.stderr).toBe(0);

    const target = await makeGuestRoot(join(T, 'restored'));
    const restore = await agent(server.url, ['restore', 'alice/test@v1'], target, env);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await treeSnapshot(join(target, 'home/alice'))).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );

    // Everything is in the bucket under alice's prefix; nothing went to the data directory.
    const keys = await keysUnder('vml-server', 'owners/alice/');
    expect(keys).toContain('owners/alice/config');
    expect(keys.filter((k) => k.startsWith('owners/alice/snapshots/'))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith('owners/alice/data/')).length).toBeGreaterThan(0);
    expect(existsSync(join(data, 'owners'))).toBe(false);
  });

  it("shows user B nothing of user A's: no versions, no files, no existence answers", async () => {
    const alicePacks = (await keysUnder('vml-server', 'owners/alice/data/')).map(
      (k) => k.split('/').at(-1) ?? '',
    );
    expect(alicePacks.length).toBeGreaterThan(0);
    const bob = await tokenFor('bob');
    const root = await makeGuestRoot(join(T, 'bob-root'), { 'home/bob/x.txt': 'x\n' });
    expect(
      (await agent(server.url, ['init', '--no-config'], root, { VML_TOKEN: bob }, 'bob/work')).code,
    ).toBe(0);

    const log = await agent(server.url, ['log'], root, { VML_TOKEN: bob }, 'bob/work');
    expect(log.code, log.stderr).toBe(0);
    expect(log.events.filter((e) => e.type === 'version')).toEqual([]);
    const restore = await agent(
      server.url,
      ['restore', 'alice/test@v1'],
      root,
      { VML_TOKEN: bob },
      'bob/work',
    );
    expect(restore.code).not.toBe(0);

    const asBob = new HttpBackend(server.url, bob);
    const listed: string[] = [];
    for await (const file of asBob.list('data')) listed.push(file.name);
    expect(listed).toEqual([]);
    for (const name of alicePacks) {
      const error = await asBob.load({ type: 'data', name }).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('NOT_FOUND');
    }
    expect((await asBob.missing('data', alicePacks)).sort()).toEqual([...alicePacks].sort());
    // The server's answer names neither the bucket nor anyone's prefix.
    const raw = await fetch(`${server.url}${filePath('data', alicePacks[0])}`, {
      headers: { authorization: `Bearer ${bob}` },
    });
    expect(raw.status).toBe(404);
    const body = await raw.text();
    expect(body).toContain('does not exist');
    expect(body).not.toMatch(/owners|s3:|vml-server|127\.0\.0\.1/);
  });

  it("publishes into the bucket's public/ prefix; Bob restores it; unpublish --storage removes it", async () => {
    const alice = await tokenFor('alice');
    const root = join(T, 'root');
    const published = await agent(server.url, ['publish', 'alice/test@v1', '--public'], root, {
      VML_TOKEN: alice,
    });
    expect(published.code, published.stderr).toBe(0);
    expect(await keysUnder('vml-server', 'public/snapshots/')).toHaveLength(1);

    const bob = await tokenFor('bob');
    const target = await makeGuestRoot(join(T, 'bob-public'));
    const restore = await agent(`${server.url}/public`, ['restore', 'alice/test@v2'], target, {
      VML_TOKEN: bob,
    });
    expect(restore.code, restore.stderr).toBe(0);
    expect(await treeSnapshot(join(target, 'home/alice'))).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );

    const un = await runHost([
      'logbook',
      'unpublish',
      'alice/test@v2',
      '--data',
      data,
      '--storage',
      storage,
      '--json',
    ]);
    expect(un.code, un.stderr).toBe(0);
    expect(await keysUnder('vml-server', 'public/snapshots/')).toEqual([]);
  });

  it('refuses to start with a key pair radosgw does not accept, naming neither key', async () => {
    const wrong = join(T, 'wrong.cred');
    const secret = 'wrong-secret-0123456789abcdef';
    await writeFile(wrong, `aws_access_key_id = ${ceph.accessKeyId}\naws_secret_access_key = ${secret}\n`);
    const before = process.env.VML_S3_CREDENTIALS;
    process.env.VML_S3_CREDENTIALS = wrong;
    try {
      const result = await runHost(['logbook', 'serve', '--data', data, '--storage', storage, '--json']);
      expect(result.code).toBe(12);
      expect(result.stderr).toContain('refused the key pair');
      expect(result.stderr).not.toContain(secret);
    } finally {
      process.env.VML_S3_CREDENTIALS = before;
    }
  });
});

describe('vml-agent with an s3:// logbook', () => {
  it('backs up and restores byte-identical straight to the bucket', async () => {
    const logbook = `s3://${ceph.hostPort}/vml-direct/alice`;
    const env = ceph.env;
    const root = await makeGuestRoot(join(T, 'direct-root'), { 'home/alice/b.txt': 'b\n'.repeat(5000) });
    await writeRandomFile(join(root, 'home/alice/data/blob.bin'), 2 * 1024 * 1024);
    const init = await agent(logbook, ['init', '--no-config'], root, env);
    expect(init.code, init.stderr).toBe(0);
    const backup = await agent(logbook, ['backup'], root, env);
    expect(backup.code, backup.stderr).toBe(0);
    const target = await makeGuestRoot(join(T, 'direct-restored'));
    const restore = await agent(logbook, ['restore', 'alice/test@v1'], target, env);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await treeSnapshot(join(target, 'home/alice'))).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );
    expect((await keysUnder('vml-direct', 'alice/snapshots/')).length).toBe(1);

    // check reads every pack back by range; gc lists, dates and removes.
    const check = await agent(logbook, ['check', '--read-data'], root, env);
    expect(check.code, check.stderr).toBe(0);
    const gc = await agent(logbook, ['gc'], root, env);
    expect(gc.code, gc.stderr).toBe(0);
    expect((await agent(logbook, ['check', '--read-data'], root, env)).code).toBe(0);
  });

  it('says "no logbook" (exit 10) for an empty prefix, and refuses credentials in the location', async () => {
    const root = await makeGuestRoot(join(T, 'nothing'));
    const none = await agent(`s3://${ceph.hostPort}/vml-direct/nobody`, ['log'], root, ceph.env);
    expect(none.code, none.stderr).toBe(10);
    const inUrl = await agent(
      `s3://AKID:s3cr3t-in-url@${ceph.hostPort}/vml-direct/x`,
      ['log'],
      root,
      ceph.env,
    );
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).not.toContain('s3cr3t-in-url');
  });
});
