/**
 * Job runs and their heartbeat: the runner records which server runs a job and beats its heartbeat while
 * it runs (on a real SQLite database and dir storage; the namespace is held back by a gate, so the job
 * is still running while the test looks), and the admin pages show a `running` run whose heartbeat is old
 * as `lost` (an old heartbeat written as a dead server would have left it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../../logbook/backend/backend.js';
import { JobRunner, LOST_AFTER_MS } from '../../../../logbook/server/jobs.js';
import type { Storage } from '../../../../logbook/server/storage.js';
import { injectSignIn, startWebServer, type WebTestServer } from '../../../helpers/web.js';

let server: WebTestServer;
let cookie: string;
beforeAll(async () => {
  server = await startWebServer();
  await server.addUser('root', 'root password', { admin: true });
  await server.addUser('alice', 'alice password');
  cookie = await injectSignIn(server, 'root', 'root password');
});
afterAll(() => server?.close());

/** The real storage, except that opening a namespace waits until the test opens the gate. */
function gated(storage: Storage): { storage: Storage; open: () => void } {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    storage: {
      location: storage.location,
      namespace: async (owner: string): Promise<Backend> => {
        await gate;
        return storage.namespace(owner);
      },
      close: () => storage.close(),
    },
    open,
  };
}

describe('job heartbeats', () => {
  it('a running job carries its server and a heartbeat that moves; it stops when the job ends', async () => {
    const { storage, open } = gated(server.storage);
    const runner = new JobRunner(server.metadata, storage, { heartbeatMs: 20 });
    const job = await runner.start('check', 'alice', 'root');
    expect(job.server).toBe(runner.server);
    expect(runner.server).toMatch(/^.+:\d+:[0-9a-f]{6}$/);
    const first = (await server.metadata.findJob(job.id))?.heartbeat;
    expect(first).toBe(job.started);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const beaten = (await server.metadata.findJob(job.id))?.heartbeat;
    expect(Date.parse(String(beaten))).toBeGreaterThan(Date.parse(String(first)));
    expect((await runner.find(job.id))?.status).toBe('running');
    open();
    await runner.idle();
    const ended = await server.metadata.findJob(job.id);
    expect(ended?.result).not.toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await server.metadata.findJob(job.id))?.heartbeat).toBe(ended?.heartbeat);
  });

  it('the jobs pages show a running run whose heartbeat is old as lost, and a fresh one as running', async () => {
    const old = new Date(Date.now() - LOST_AFTER_MS - 60_000).toISOString();
    const fresh = new Date().toISOString();
    const base = { kind: 'gc', owner: 'alice', startedBy: 'root', result: 'running' } as const;
    await server.metadata.addJob({
      ...base,
      id: 'dead0001',
      started: old,
      server: 'gone:1:abcdef',
      heartbeat: old,
    });
    await server.metadata.addJob({
      ...base,
      id: 'live0001',
      started: old,
      server: 'here:2:abcdef',
      heartbeat: fresh,
    });
    // A run recorded before heartbeats existed: judged by its start.
    await server.metadata.addJob({ ...base, id: 'older001', started: old });
    const list = await server.app.inject({ url: '/admin/jobs', headers: { cookie } });
    expect(list.statusCode).toBe(200);
    const rowOf = (id: string) => new RegExp(`${id}</a></td>.*?</tr>`, 's').exec(list.body)?.[0] ?? '';
    expect(rowOf('dead0001')).toContain('<td>lost</td>');
    expect(rowOf('older001')).toContain('<td>lost</td>');
    expect(rowOf('live0001')).toContain('<td>running</td>');
    const page = await server.app.inject({ url: '/admin/jobs/dead0001', headers: { cookie } });
    expect(page.body).toContain('<strong id="job-result">lost</strong>');
    expect(page.body).toContain('gone:1:abcdef');
    expect(page.body).not.toContain('>reload</a>');
    const live = await server.app.inject({ url: '/admin/jobs/live0001', headers: { cookie } });
    expect(live.body).toContain('<strong id="job-result">running</strong>');
  });
});
