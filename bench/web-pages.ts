/**
 * Web page times on a big namespace: `npm run build && node dist/bench/web-pages.js [--versions 300]
 * [--entries 10] [--runs 10]`. Builds one user's namespace through the Logbook API (each version a few small
 * files, one index file per version, as a backup writes), then times, in process with inject(), the
 * entries page, one entry's history, one version's page and one file download, and prints the medians.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { agentInsight } from '../host/server/insight.js';
import { sanitizerScan } from '../host/server/scan.js';
import type { TreeNode } from '../logbook/format/tree.js';
import { Logbook } from '../logbook/logbook.js';
import { addUser } from '../logbook/server/admin.js';
import { buildApp } from '../logbook/server/app.js';
import { SqlMetadata } from '../logbook/server/metadata-sql.js';
import { SqliteDriver } from '../logbook/server/sql/sqlite.js';
import { DirStorage } from '../logbook/server/storage.js';

const { values } = parseArgs({
  options: {
    versions: { type: 'string', default: '300' },
    entries: { type: 'string', default: '10' },
    runs: { type: 'string', default: '10' },
  },
});
const versions = Number(values.versions);
const entries = Number(values.entries);
const runs = Number(values.runs);

async function fill(logbook: Logbook): Promise<void> {
  for (let i = 0; i < versions; i++) {
    const w = await logbook.beginVersion(`alice/e${i % entries}`);
    const nodes: TreeNode[] = [];
    for (let f = 0; f < 5; f++) {
      const bytes = Buffer.from(`file ${f} of version ${f === 0 ? i : 0}\n`.repeat(200));
      const content = [await w.addChunk(bytes)];
      nodes.push({
        name: `f${f}`,
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: '0',
        size: bytes.length,
        content,
      });
    }
    const tree = await w.addTree({ nodes });
    await w.commit({
      time: new Date().toISOString(),
      reason: 'manual',
      visibility: 'private',
      message: `version ${i}`,
      recipe: { name: 'bench', hash: 'x' },
      host: 'h',
      user: 'u',
      root: '/',
      steps: {},
      tree,
      stats: { files: 5, dirs: 0, bytes: 5000, filesRead: 5, bytesRead: 5000, seconds: 0 },
    });
  }
}

async function signIn(app: FastifyInstance): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/signin' });
  const cookie = (name: string, headers: Record<string, unknown>) =>
    [headers['set-cookie']]
      .flat()
      .map(String)
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0] ?? '';
  const pre = cookie('vml_presession', form.headers);
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const res = await app.inject({
    method: 'POST',
    url: '/signin',
    headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ name: 'alice', password: 'bench-password', csrf }).toString(),
  });
  return cookie('vml_session', res.headers);
}

async function time(app: FastifyInstance, cookie: string, url: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    times.push(performance.now() - started);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const data = await mkdtemp(join(tmpdir(), 'vml-bench-web-'));
try {
  const metadata = await SqlMetadata.open(await SqliteDriver.open(join(data, 'vml.db')));
  const storage = new DirStorage(data);
  await addUser(metadata, 'alice', { password: 'bench-password', admin: false });
  const started = performance.now();
  await fill(await Logbook.init(await storage.namespace('alice')));
  console.log(
    `built ${versions} versions over ${entries} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const app = await buildApp({ metadata, storage, insight: agentInsight, scan: sanitizerScan });
  const cookie = await signIn(app);
  const seq = Math.floor(versions / entries / 2);
  for (const [label, url] of [
    ['entries page', '/entries'],
    ['entry history', '/entries/alice/e3'],
    ['version page', `/entries/alice/e3/v${seq}`],
    ['file download', `/entries/alice/e3/v${seq}/download/f0`],
  ] as const) {
    console.log(
      `${label.padEnd(14)} ${url.padEnd(36)} median ${(await time(app, cookie, url)).toFixed(1)} ms`,
    );
  }
  await app.close();
  await storage.close();
  await metadata.close();
} finally {
  await rm(data, { recursive: true, force: true });
}
