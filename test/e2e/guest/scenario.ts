/**
 * What the end-to-end test puts into its guests and reads back from them: a home data set and planted
 * credentials (made on the host, where it is 20x faster, and handed over as tar files on the results share),
 * the logbook's history as the host's CLI sees it, and timings read off the console.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runAgent, writeRandomFile } from '../../integration/helpers/cli.js';
import type { Guest } from './qemu.js';

/** The home data set: DIRS directories of FILES_PER_DIR random files of FILE_SIZE bytes (40 MiB). */
const DIRS = 20;
const FILES_PER_DIR = 20;
const FILE_SIZE = 100 * 1024;
export const HOME_DATA_BYTES = DIRS * FILES_PER_DIR * FILE_SIZE;

/** Writes `home-data.tar` (owned by alice, 1000:1000) into `dir`; returns the archive's path in the guest. */
export async function makeHomeData(dir: string): Promise<string> {
  const src = join(dir, 'home-data');
  for (let d = 0; d < DIRS; d++) {
    for (let f = 0; f < FILES_PER_DIR; f++) {
      await writeRandomFile(join(src, `data/run-${d}/events-${f}.bin`), FILE_SIZE);
    }
  }
  tarAsAlice(src, join(dir, 'home-data.tar'));
  await rm(src, { recursive: true });
  return '/mnt/results/home-data.tar';
}

/** A guest command that rewrites 1 % of the data set's files with new random bytes (as their owner). */
export function changeOnePercentCommand(): string {
  const count = Math.round((DIRS * FILES_PER_DIR) / 100);
  const files = Array.from({ length: count }, (_, i) => `/home/alice/data/run-${i}/events-0.bin`);
  return `for f in ${files.join(' ')}; do head -c ${FILE_SIZE} /dev/urandom > $f; done`;
}

/** Credentials planted in alice's home: root-relative path → what kind (for messages). */
export const PLANTED_CREDENTIALS = {
  'home/alice/.globus/usercert.pem': 'grid user certificate',
  'home/alice/.globus/userkey.pem': 'grid user key',
  'home/alice/x509up_u1000': 'VOMS proxy',
} as const;

/**
 * Writes `credentials.tar` into `dir`: a grid certificate and encrypted key made by openssl, and a proxy file
 * laid out as voms-proxy-init writes it (certificate, unencrypted key, user certificate). Obviously fake
 * (a throwaway self-signed CA), unique per run. Returns the archive's path in the guest.
 */
export async function makeCredentials(dir: string): Promise<string> {
  const src = join(dir, 'credentials');
  const globus = join(src, '.globus');
  await mkdir(globus, { recursive: true });
  const ossl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' }).toString();
  const subject = '/DC=test/DC=vml/CN=alice e2e';
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-keyout',
    join(globus, 'userkey.pem'),
    '-out',
    join(globus, 'usercert.pem'),
    '-subj',
    subject,
    '-days',
    '2',
    '-passout',
    'pass:vml-e2e-passphrase',
  );
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(src, 'proxy.key'),
    '-out',
    join(src, 'proxy.pem'),
    '-subj',
    `${subject}/CN=1234`,
    '-days',
    '1',
  );
  const proxy = [
    ossl('x509', '-in', join(src, 'proxy.pem')),
    ossl('rsa', '-in', join(src, 'proxy.key'), '-traditional'),
    ossl('x509', '-in', join(globus, 'usercert.pem')),
  ].join('');
  await writeFile(join(src, 'x509up_u1000'), proxy, { mode: 0o600 });
  await rm(join(src, 'proxy.key'));
  await rm(join(src, 'proxy.pem'));
  execFileSync('chmod', ['0400', join(globus, 'userkey.pem')]);
  tarAsAlice(src, join(dir, 'credentials.tar'));
  await rm(src, { recursive: true });
  return '/mnt/results/credentials.tar';
}

function tarAsAlice(src: string, archive: string): void {
  execFileSync('tar', ['-C', src, '--owner=1000', '--group=1000', '--numeric-owner', '-cf', archive, '.']);
}

/** One version as `vml-agent log --json` lists it. */
export interface LoggedVersion {
  readonly seq: number;
  readonly reason: string;
  readonly files: number;
  readonly bytes: number;
  readonly bytesAdded: number;
  readonly time: string;
}

/** The entry's versions, read on the host with the built CLI. */
export async function loggedVersions(logbook: string, entry: string): Promise<LoggedVersion[]> {
  const result = await runAgent(['log', entry, '--logbook', `dir:${logbook}`, '--json']);
  if (result.code !== 0) throw new Error(`vml-agent log failed: ${result.stderr}`);
  return result.events.filter((e) => e.type === 'version') as unknown as LoggedVersion[];
}

/**
 * How long systemd took to stop `unit` (its ExecStop= ran: the backup), from the console lines
 * "Stopping UNIT" and "Stopped UNIT" (or "Failed to stop UNIT"), timed on arrival at the host.
 */
export function stopSeconds(guest: Guest, unit: string, from: number): number {
  const stopping = guest.findLine(new RegExp(`Stopping ${unit.replace('.', '\\.')}`), from);
  if (!stopping) throw new Error(`the console never said "Stopping ${unit}" (see ${guest.logPath})`);
  const stopped = guest.findLine(
    new RegExp(`(Stopped|Failed to stop) ${unit.replace('.', '\\.')}`),
    stopping.index,
  );
  if (!stopped) throw new Error(`the console never said "Stopped ${unit}" (see ${guest.logPath})`);
  return (stopped.line.time - stopping.line.time) / 1000;
}

/** Powers the guest off from a root shell and waits for QEMU to exit; returns the console index it started at. */
export async function powerOff(guest: Guest): Promise<number> {
  const from = guest.lines.length;
  guest.send('systemctl poweroff\n');
  await guest.waitForExit();
  return from;
}

/**
 * A guest script (run as root) that times `bash -lic exit`, an interactive login shell, with and without
 * /etc/profile.d/vml.sh, in alternating rounds, then the hook alone; prints "with US... without US... alone US"
 * (microseconds per login).
 */
export const LOGIN_LATENCY_SCRIPT = `#!/bin/bash
set -eu
n=\${1:-30}
hook=/etc/profile.d/vml.sh
measure() {
  local s e i
  s=$(date +%s%N)
  for ((i = 0; i < n; i++)); do bash -lic exit </dev/null >/dev/null 2>&1; done
  e=$(date +%s%N)
  echo $(((e - s) / n / 1000))
}
with=() without=()
for round in 1 2 3; do
  with+=("$(measure)")
  mv "$hook" /root/vml.sh.aside
  without+=("$(measure)")
  mv /root/vml.sh.aside "$hook"
done
# The hook alone, sourced 300 times in one interactive shell: no bash start-up noise around it.
alone=$(bash -ic 's=$(date +%s%N); for ((i = 0; i < 300; i++)); do . /etc/profile.d/vml.sh >/dev/null; done; e=$(date +%s%N); echo $(((e - s) / 300 / 1000))' </dev/null 2>/dev/null | tail -n 1)
echo "with \${with[*]} without \${without[*]} alone \${alone}"
`;

/** Parses the latency script's line into the smallest per-login time of each kind (ms). */
export function parseLoginLatency(line: string): {
  withHookMs: number;
  withoutHookMs: number;
  hookAloneMs: number;
} {
  const m = /with ([\d ]+) without ([\d ]+) alone (\d+)/.exec(line);
  if (!m) throw new Error(`unexpected output of the latency script: ${line}`);
  const min = (s: string | undefined) => Math.min(...(s ?? '').trim().split(/\s+/).map(Number)) / 1000;
  return { withHookMs: min(m[1]), withoutHookMs: min(m[2]), hookAloneMs: Number(m[3]) / 1000 };
}

/**
 * Writes `slow.raw` into `dir`: an ext4 file system whose root (alice's) holds `big.bin`, `bytes` of random
 * data. Attached with a read limit, it makes a backup slow however fast or busy the host is.
 */
export async function makeSlowDisk(dir: string, bytes: number): Promise<string> {
  const src = join(dir, 'slow-disk');
  await writeRandomFile(join(src, 'big.bin'), bytes);
  execFileSync('chown', ['-R', '1000:1000', src]);
  const image = join(dir, 'slow.raw');
  const size = `${Math.ceil(bytes / 2 ** 20) + 32}M`;
  execFileSync('mkfs.ext4', ['-q', '-E', 'root_owner=1000:1000', '-d', src, image, size]);
  await rm(src, { recursive: true });
  return image;
}

/** The backup's own figure from its last summary line on the console ("added … in 3.02s"), in seconds. */
export function agentSeconds(guest: Guest, from: number): number | undefined {
  let seconds: number | undefined;
  for (let i = from; i < guest.lines.length; i++) {
    const m = /vml-agent\[\d+\]: +added .* in ([\d.]+)s\b/.exec(guest.lines[i]?.text ?? '');
    if (m) seconds = Number(m[1]);
  }
  return seconds;
}
