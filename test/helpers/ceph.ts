/**
 * A real S3 service for tests: a one-node Ceph cluster (mon + mgr + one memstore OSD) and radosgw on
 * 127.0.0.1, in a temp directory, from Debian's ceph packages (scripts/install-test-tools.sh). Start it once
 * per test file (beforeAll, about 12–15 s here) and stop it in afterAll: the daemons are killed and the
 * directory removed. Authentication inside the cluster is off (loopback only); S3 requests are signed with
 * the key pair of a user made by radosgw-admin, as against a production radosgw.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const run = promisify(execFile);

/** The tools the cluster needs, with the Debian package of each. */
const TOOLS: Record<string, string> = {
  'ceph-mon': 'ceph-mon',
  'ceph-osd': 'ceph-osd',
  'ceph-mgr': 'ceph-mgr',
  radosgw: 'radosgw',
  'radosgw-admin': 'radosgw',
  monmaptool: 'ceph-common',
  ceph: 'ceph-common',
};

export interface CephCluster {
  /** "http://127.0.0.1:PORT" of radosgw. */
  readonly endpoint: string;
  /** "127.0.0.1:PORT", for s3:// locations. */
  readonly hostPort: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The S3 key pair as environment variables, for the agent and the server. */
  readonly env: { readonly AWS_ACCESS_KEY_ID: string; readonly AWS_SECRET_ACCESS_KEY: string };
  /** How long start took, in ms. */
  readonly startMs: number;
  /** Makes a bucket (3–63 of a-z, 0-9, "-") and returns its s3:// location. */
  makeBucket(name: string): Promise<string>;
  /** Kills the daemons and removes the directory. */
  stop(): Promise<void>;
}

/** Starts the cluster; throws (never skips) naming the missing packages when ceph is not installed. */
export async function startCeph(): Promise<CephCluster> {
  const started = Date.now();
  await checkTools();
  const dir = await mkdtemp(join(tmpdir(), 'vml-ceph-'));
  const daemons: ChildProcess[] = [];
  // A test process that dies without afterAll must not leave a cluster running.
  const killAll = (): void => {
    for (const d of daemons) d.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async (): Promise<void> => {
    process.off('exit', killAll);
    await Promise.all(daemons.map(killDaemon));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [monPort, rgwPort] = [await freePort(), await freePort()];
    const conf = join(dir, 'ceph.conf');
    const fsid = randomUUID();
    for (const sub of ['run', 'log', 'mon/a', 'osd/0', 'mgr/x', 'rgw']) {
      await mkdir(join(dir, sub), { recursive: true });
    }
    await writeFile(conf, cephConf({ dir, fsid, monPort, rgwPort }));
    const c = ['-c', conf];
    await run('monmaptool', [
      '--create',
      '--addv',
      'a',
      `[v2:127.0.0.1:${monPort}]`,
      '--fsid',
      fsid,
      join(dir, 'monmap'),
    ]);
    await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')]);
    daemons.push(daemon('ceph-mon', [...c, '-f', '-i', 'a']));
    const osdUuid = randomUUID();
    const { stdout: osdId } = await run('ceph', [...c, '--connect-timeout', '30', 'osd', 'new', osdUuid]);
    await run('ceph-osd', [...c, '-i', osdId.trim(), '--mkfs', '--osd-uuid', osdUuid]);
    daemons.push(daemon('ceph-osd', [...c, '-f', '-i', osdId.trim()]));
    daemons.push(daemon('ceph-mgr', [...c, '-f', '-i', 'x']));
    daemons.push(daemon('radosgw', [...c, '-f', '-n', 'client.rgw']));
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitForHttp(endpoint, 60_000, daemons);
    const accessKeyId = `VMLTEST${randomBytes(6).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString('base64url');
    await run('radosgw-admin', [
      ...c,
      'user',
      'create',
      '--uid',
      'vml-test',
      '--display-name',
      'VML tests',
      '--access-key',
      accessKeyId,
      '--secret',
      secretAccessKey,
    ]);
    const credentials = { accessKeyId, secretAccessKey };
    return {
      endpoint,
      hostPort: `127.0.0.1:${rgwPort}`,
      accessKeyId,
      secretAccessKey,
      env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey },
      startMs: Date.now() - started,
      async makeBucket(name) {
        const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
        try {
          await client.send(new CreateBucketCommand({ Bucket: name }));
        } finally {
          client.destroy();
        }
        return `s3://127.0.0.1:${rgwPort}/${name}`;
      },
      stop,
    };
  } catch (error) {
    // The directory stays for its logs; the error names it.
    await Promise.all(daemons.map(killDaemon));
    throw new Error(`Cannot start the test Ceph cluster in ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function checkTools(): Promise<void> {
  const missing = new Set<string>();
  for (const [tool, pkg] of Object.entries(TOOLS)) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      missing.add(pkg);
    }
  }
  if (missing.size > 0) {
    throw new Error(
      `Ceph is not installed (missing packages: ${[...missing].join(', ')}); run scripts/install-test-tools.sh`,
    );
  }
}

// Memstore keeps objects in RAM (capped by `memstore device bytes`), so nothing touches the disk but logs.
// Messenger modes are "crc": "secure" needs cephx, which is off.
function cephConf(o: { dir: string; fsid: string; monPort: number; rgwPort: number }): string {
  return `[global]
fsid = ${o.fsid}
mon host = v2:127.0.0.1:${o.monPort}
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
keyring = /dev/null
osd objectstore = memstore
memstore device bytes = 4294967296
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
mon max pg per osd = 1000
run dir = ${o.dir}/run
admin socket = ${o.dir}/run/$name.asok
log file = ${o.dir}/log/$name.log
pid file = ${o.dir}/run/$name.pid
[mon.a]
mon data = ${o.dir}/mon/a
[osd.0]
osd data = ${o.dir}/osd/0
[mgr.x]
mgr data = ${o.dir}/mgr/x
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${o.rgwPort}
rgw data = ${o.dir}/rgw
rgw init timeout = 60
`;
}

function daemon(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore' });
  child.on('error', () => {});
  return child;
}

async function killDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // The OSD can take many seconds to shut down cleanly; its memstore is thrown away anyway.
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

async function waitForHttp(url: string, timeoutMs: number, daemons: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = daemons.find((d) => d.exitCode !== null);
    if (dead) throw new Error(`${dead.spawnargs[0]} exited with ${dead.exitCode}; see the logs in log/`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`radosgw did not answer on ${url} within ${timeoutMs / 1000} s`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
