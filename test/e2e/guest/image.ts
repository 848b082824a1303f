/**
 * The test guest's disk, in two cached layers under ~/.cache/vml-e2e (outside the repository, so a fresh
 * clone on the same machine reuses them):
 *
 * - base-KEY: Debian with a kernel, alice and Node (build-image.sh, ~2 min); KEY hashes that script and the
 *   Node binary, so it is rebuilt only when one of them changes;
 * - appliance-KEY: a copy of the base into which appliance/customize-image.sh baked the agent (a few
 *   seconds); KEY hashes the base and every installed file, so each code change gets its own layer and an
 *   unchanged tree reuses the last one.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '../../..');
export const CACHE_DIR = process.env.VML_E2E_CACHE ?? join(homedir(), '.cache/vml-e2e');
/** Layers of older code kept besides the newest (each is ~300 MB on disk). */
const KEEP_OLD = 2;

/** A bootable disk with its kernel and initrd (for QEMU's direct kernel boot). */
export interface GuestImage {
  readonly rootfs: string;
  readonly kernel: string;
  readonly initrd: string;
}

/**
 * A drop-in the test adds to the shutdown unit: its output also goes to the console, the one channel a
 * failed test can read from the host. It changes nothing else.
 */
const CONSOLE_DROP_IN = '[Service]\nStandardOutput=journal+console\nStandardError=journal+console\n';

/** The base layer, built on first use (needs root and a Debian mirror). */
export async function baseImage(log: (line: string) => void): Promise<GuestImage> {
  const script = join(HERE, 'build-image.sh');
  const node = process.execPath;
  const nodeStat = await stat(node);
  const key = hash([await readFile(script), `${process.version} ${nodeStat.size} ${nodeStat.mtimeMs}`]);
  const dir = join(CACHE_DIR, `base-${key}`);
  if (!existsSync(join(dir, 'rootfs.raw'))) {
    await buildOnce(dir, async (out) => {
      log(`building the base guest image in ${dir} (about 2 minutes, once per change of build-image.sh)`);
      execFileSync('bash', [script, out, node], { stdio: ['ignore', 'ignore', 'inherit'] });
    });
  }
  await prune('base-', dir);
  return imageIn(dir);
}

/**
 * The appliance layer over `base`: a copy of the base image customized by appliance/customize-image.sh (the
 * bundle built from the current sources, installed by install.sh and enabled, written with debugfs), the
 * way an administrator bakes the agent into an image. Keyed by the staged tree, so unchanged code reuses it.
 */
export async function applianceImage(base: GuestImage, log: (line: string) => void): Promise<GuestImage> {
  const stage = await mkdtemp(join(tmpdir(), 'vml-e2e-stage-'));
  try {
    const bundle = join(stage, 'bundle');
    execFileSync(process.execPath, [join(REPO_ROOT, 'appliance/build-bundle.ts'), bundle], {
      stdio: 'ignore',
    });
    // The same tree customize-image.sh installs, staged only to compute the key.
    const root = join(stage, 'root');
    execFileSync('bash', [join(REPO_ROOT, 'appliance/install.sh'), root, '--bundle', bundle, '--enable']);
    const scripts = await readFile(join(REPO_ROOT, 'appliance/customize-image.sh'));
    const entries = await walk(root);
    const key = hash([base.rootfs, scripts, CONSOLE_DROP_IN, ...entries]);
    const dir = join(CACHE_DIR, `appliance-${key}`);
    if (!existsSync(join(dir, 'rootfs.raw'))) {
      await buildOnce(dir, async (out) => {
        log(`customizing a copy of the base image with the appliance (${dir})`);
        const image = join(out, 'rootfs.raw');
        execFileSync('cp', ['--sparse=always', base.rootfs, image]);
        execFileSync(
          'bash',
          [join(REPO_ROOT, 'appliance/customize-image.sh'), image, '--bundle', bundle, '--method', 'debugfs'],
          {
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
        await addConsoleDropIn(image, stage);
        await cp(base.kernel, join(out, 'vmlinuz'));
        await cp(base.initrd, join(out, 'initrd.img'));
      });
    }
    await prune('appliance-', dir);
    return imageIn(dir);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

function imageIn(dir: string): GuestImage {
  return { rootfs: join(dir, 'rootfs.raw'), kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img') };
}

/** Every path below `root` with its type, mode and content hash (or link target), as strings to hash. */
async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const path = `${rel}/${name}`;
    const st = await lstat(join(root, path));
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isDirectory()) out.push(`d ${path} ${mode}`, ...(await walk(root, path)));
    else if (st.isSymbolicLink()) out.push(`l ${path} ${await readlink(join(root, path))}`);
    else out.push(`f ${path} ${mode} ${hash([await readFile(join(root, path))])}`);
  }
  return out;
}

/** Writes CONSOLE_DROP_IN into the image with debugfs, and checks that it is there. */
async function addConsoleDropIn(image: string, scratch: string): Promise<void> {
  const dir = '/etc/systemd/system/vml-backup-shutdown.service.d';
  const file = join(scratch, 'e2e-console.conf');
  await writeFile(file, CONSOLE_DROP_IN, { mode: 0o644 });
  const commands = join(scratch, 'debugfs.commands');
  await writeFile(commands, `mkdir ${dir}\nwrite ${file} ${dir}/e2e-console.conf\n`);
  execFileSync('debugfs', ['-w', '-f', commands, image], { stdio: 'ignore' });
  const check = execFileSync('debugfs', ['-R', `cat ${dir}/e2e-console.conf`, image], { stdio: 'pipe' });
  if (check.toString() !== CONSOLE_DROP_IN) throw new Error(`debugfs did not write ${dir} into ${image}`);
}

/** Runs `build` into a temporary directory and renames it to `dir`, so a half-built layer is never used. */
async function buildOnce(dir: string, build: (out: string) => Promise<void>): Promise<void> {
  await mkdir(CACHE_DIR, { recursive: true });
  const out = `${dir}.tmp-${process.pid}`;
  await rm(out, { recursive: true, force: true });
  await mkdir(out);
  try {
    await build(out);
    await rm(dir, { recursive: true, force: true });
    await rename(out, dir);
  } catch (error) {
    await rm(out, { recursive: true, force: true });
    throw error;
  }
}

/** Removes all but the newest KEEP_OLD other layers with this prefix (and leftovers of killed builds). */
async function prune(prefix: string, current: string): Promise<void> {
  const names = (await readdir(CACHE_DIR)).filter(
    (n) => n.startsWith(prefix) && join(CACHE_DIR, n) !== current,
  );
  const dated = await Promise.all(
    names.map(async (n) => ({ n, t: (await stat(join(CACHE_DIR, n))).mtimeMs, tmp: n.includes('.tmp-') })),
  );
  dated.sort((a, b) => b.t - a.t);
  const old = dated.filter((d) => !d.tmp).slice(KEEP_OLD);
  const stale = dated.filter((d) => d.tmp && Date.now() - d.t > 3_600_000);
  for (const d of [...old, ...stale]) await rm(join(CACHE_DIR, d.n), { recursive: true, force: true });
}

function hash(parts: readonly (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}
