/**
 * What the server benches (server.ts, publish.ts) share: the built CLIs, a generated tree made once per
 * size and kept under bench/.data/NAME/, and a `vml logbook serve` process on 127.0.0.1:0.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextSource } from './content.js';
import { Rng } from './prng.js';
import { ROOT } from './tools.js';
import { writeTree } from './tree.js';

export const MiB = 1024 * 1024;
export const AGENT = join(ROOT, 'dist/agent/cli/main.js');
export const HOST = join(ROOT, 'dist/host/cli/main.js');

/** A tree of about `mib` MiB (15 files per MiB, a few binaries), generated once from a seed named by `bench`. */
export function generatedTree(bench: string, mib: number): string {
  const dir = join(ROOT, 'bench/.data', bench, `tree-${mib}`);
  const done = `${dir}.done`;
  if (existsSync(done)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const spec = {
    files: Math.round(15 * mib),
    bytes: mib * MiB,
    binaries: 3,
    binaryBytes: (mib / 10) * MiB,
    changeFraction: 0.01,
  };
  const seed = `vml-bench-${bench}`;
  const made = writeTree(dir, spec, seed, new TextSource(new Rng(`${seed}/text-pool`), 50_000));
  writeFileSync(done, `${JSON.stringify(made)}\n`);
  return dir;
}

/** Runs `vml ARGS` and returns its stdout. */
export function host(args: string[]): string {
  return execFileSync(process.execPath, [HOST, ...args], { encoding: 'utf8' });
}

/** Starts `vml logbook serve --data DATA --listen 127.0.0.1:0 --json [EXTRA…]`; resolves once it listens. */
export function serve(data: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [
    HOST,
    'logbook',
    'serve',
    '--data',
    data,
    '--listen',
    '127.0.0.1:0',
    '--json',
    ...extra,
  ]);
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('close', (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('server-listening'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
  });
}
