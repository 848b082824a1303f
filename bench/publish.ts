/**
 * The cost of publishing through the server: `npm run build && node dist/bench/publish.js [--mib 100]
 * [--runs 2]`. For each run, a fresh `vml logbook serve` on 127.0.0.1: a first `vml-agent backup` of a
 * generated tree (bench/.data/publish/), then `vml-agent publish ENTRY@v1 --public` (the agent sanitizes and
 * saves a public version; the server re-scans it and copies it, every blob re-packed, into the public
 * namespace), then `vml logbook unpublish` + `vml logbook publish` of that version (the server's part alone:
 * checks, scan, copy). Prints each time and the medians.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT, generatedTree, HOST, serve } from './server-kit.js';

const { values } = parseArgs({
  options: { mib: { type: 'string', default: '100' }, runs: { type: 'string', default: '2' } },
});
const mib = Number(values.mib);
const runs = Number(values.runs);

/** Runs a CLI and returns its seconds; exit 3 (done with warnings) counts as done. */
function timed(main: string, args: string[], env: Record<string, string> = {}): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, [main, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0 && run.status !== 3)
    throw new Error(`${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
  return (performance.now() - started) / 1000;
}

async function once(src: string): Promise<{ backup: number; publish: number; server: number }> {
  const work = mkdtempSync(join(tmpdir(), 'vml-bench-publish-'));
  const data = join(work, 'server');
  const server = await serve(data);
  try {
    execFileSync(process.execPath, [HOST, 'logbook', 'user', 'add', 'bench', '--data', data]);
    const created = execFileSync(process.execPath, [
      HOST,
      'logbook',
      'token',
      'create',
      'bench',
      '--data',
      data,
      '--json',
    ]);
    const env = { VML_TOKEN: String(JSON.parse(String(created)).token) };
    const common = ['--root', src, '--logbook', server.url];
    timed(AGENT, ['init', ...common, '--entry', 'bench/tree', '--recipe', 'full-root', '--no-config'], env);
    const backup = timed(AGENT, ['backup', ...common, '--entry', 'bench/tree', '--recipe', 'full-root'], env);
    const publish = timed(AGENT, ['publish', 'bench/tree@v1', '--public', ...common], env);
    timed(HOST, ['logbook', 'unpublish', 'bench/tree@v2', '--data', data]);
    const again = timed(HOST, ['logbook', 'publish', 'bench/tree@v2', '--data', data]);
    return { backup, publish, server: again };
  } finally {
    server.child.removeAllListeners('close');
    server.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const src = generatedTree('publish', mib);
const all: { backup: number; publish: number; server: number }[] = [];
for (let i = 0; i < runs; i++) {
  const r = await once(src);
  all.push(r);
  console.log(
    `run ${i + 1}: backup ${r.backup.toFixed(1)} s, agent publish ${r.publish.toFixed(1)} s, server publish alone ${r.server.toFixed(1)} s`,
  );
}
const m = (k: 'backup' | 'publish' | 'server') => median(all.map((r) => r[k]));
console.log(
  `${mib} MiB, median of ${runs}: backup ${m('backup').toFixed(1)} s, publish ${m('publish').toFixed(1)} s (${(m('publish') / m('backup')).toFixed(2)}x), server part ${m('server').toFixed(1)} s (${(m('server') / m('backup')).toFixed(2)}x)`,
);
