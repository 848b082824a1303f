/**
 * Backup throughput through the logbook server over loopback versus a local dir: logbook (target ≥ 0.8×).
 * `npm run build && node dist/bench/server.js [--mib 500] [--runs 2]`: generates a bench tree once (into
 * bench/.data/server/), then times first backups of it with `vml-agent backup` into a fresh `dir:` logbook
 * and into a fresh `vml logbook serve` process on 127.0.0.1, alternating, and prints the medians and the
 * server's peak resident memory (VmHWM from /proc, Linux) during each server backup.
 * With `--s3 s3://HOST:PORT/BUCKET` (key pair in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) it also times the
 * agent straight to that bucket (`s3`) and a server keeping its logbooks there (`server-s3`); each run uses a
 * fresh key prefix (test/helpers/ceph.ts starts a throwaway radosgw).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT, generatedTree, host, serve } from './server-kit.js';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '500' },
    runs: { type: 'string', default: '2' },
    s3: { type: 'string' },
  },
});
const mib = Number(values.mib);
const runs = Number(values.runs);

function agent(args: string[], env: Record<string, string> = {}): number {
  const started = performance.now();
  execFileSync(process.execPath, [AGENT, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (performance.now() - started) / 1000;
}

/** Peak resident set of a process so far, in MiB (NaN where /proc has no VmHWM). */
function peakRssMiB(pid: number | undefined): number {
  const status = pid === undefined ? '' : readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

const serverRss: number[] = [];

type Kind = 'dir' | 'server' | 's3' | 'server-s3';

async function backupOnce(src: string, kind: Kind): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'vml-bench-server-'));
  const common = ['--root', src, '--entry', 'bench/tree', '--recipe', 'full-root'];
  // A fresh key prefix per run: a fresh logbook in the same bucket.
  const s3 = `${values.s3}/bench-${Date.now()}`;
  try {
    if (kind === 'dir' || kind === 's3') {
      const lb = kind === 'dir' ? `dir:${join(work, 'lb')}` : s3;
      agent(['init', '--logbook', lb, ...common, '--no-config']);
      return agent(['backup', '--logbook', lb, ...common]);
    }
    const data = join(work, 'server');
    const server = await serve(data, kind === 'server-s3' ? ['--storage', s3] : []);
    try {
      host(['logbook', 'user', 'add', 'bench', '--data', data]);
      const token = String(
        JSON.parse(host(['logbook', 'token', 'create', 'bench', '--data', data, '--json'])).token,
      );
      agent(['init', '--logbook', server.url, ...common, '--no-config'], { VML_TOKEN: token });
      const seconds = agent(['backup', '--logbook', server.url, ...common], { VML_TOKEN: token });
      serverRss.push(peakRssMiB(server.child.pid));
      return seconds;
    } finally {
      server.child.removeAllListeners('close');
      server.child.kill('SIGTERM');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const src = generatedTree('server', mib);
const kinds: Kind[] = values.s3 ? ['dir', 'server', 's3', 'server-s3'] : ['dir', 'server'];
const times: Record<Kind, number[]> = { dir: [], server: [], s3: [], 'server-s3': [] };
for (let i = 0; i < runs; i++) {
  for (const kind of kinds) {
    const s = await backupOnce(src, kind);
    times[kind].push(s);
    console.log(`run ${i + 1} ${kind}: ${s.toFixed(1)} s, ${(mib / s).toFixed(1)} MiB/s`);
  }
}
const dir = median(times.dir);
const server = median(times.server);
console.log(
  `${mib} MiB first backup, median of ${runs}: dir ${(mib / dir).toFixed(1)} MiB/s, server ${(mib / server).toFixed(1)} MiB/s, server/dir = ${(dir / server).toFixed(2)}x`,
);
if (values.s3) {
  const [s3, serverS3] = [median(times.s3), median(times['server-s3'])];
  console.log(
    `s3: straight ${(mib / s3).toFixed(1)} MiB/s (${(dir / s3).toFixed(2)}x dir), through the server ${(mib / serverS3).toFixed(1)} MiB/s (${(dir / serverS3).toFixed(2)}x dir)`,
  );
}
console.log(`server peak RSS per backup: ${serverRss.map((m) => `${m.toFixed(0)} MiB`).join(', ')}`);
