/**
 * The test guest's disk, in two cached layers under ~/.cache/vml-e2e (outside the repository, so a fresh
 * clone on the same machine reuses them):
 *
 * - base-KEY: Debian with a kernel, alice and Node (build-image.sh, ~2 min); KEY hashes that script and the
 *   Node binary, so it is rebuilt only when one of them changes;
 * - appliance-KEY: a copy of the base with the appliance installed by appliance/install.sh, the way an image
 *   is customized (a few seconds); KEY hashes the base and every installed file, so each code change gets
 *   its own layer and an unchanged tree reuses the last one.
 *
 * The files go into the ext4 image with debugfs: no loop mount, no root needed for this layer.
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
 * The appliance layer over `base`: the bundle built from the current sources and appliance/install.sh
 * --enable run into a staging tree, copied into a copy of the base image.
 */
export async function applianceImage(base: GuestImage, log: (line: string) => void): Promise<GuestImage> {
  const stage = await mkdtemp(join(tmpdir(), 'vml-e2e-stage-'));
  try {
    const bundle = join(stage, '.bundle');
    execFileSync(process.execPath, [join(REPO_ROOT, 'appliance/build-bundle.ts'), bundle], {
      stdio: 'ignore',
    });
    const root = join(stage, 'root');
    execFileSync('bash', [join(REPO_ROOT, 'appliance/install.sh'), root, '--bundle', bundle, '--enable']);
    const dropIn = join(root, 'etc/systemd/system/vml-backup-shutdown.service.d');
    await mkdir(dropIn, { recursive: true });
    await writeFile(join(dropIn, 'e2e-console.conf'), CONSOLE_DROP_IN);
    const entries = await walk(root);
    const key = hash([base.rootfs, ...entries.map((e) => `${e.path} ${e.mode} ${e.content}`)]);
    const dir = join(CACHE_DIR, `appliance-${key}`);
    if (!existsSync(join(dir, 'rootfs.raw'))) {
      await buildOnce(dir, async (out) => {
        log(`installing the appliance into a copy of the base image (${dir})`);
        execFileSync('cp', ['--sparse=always', base.rootfs, join(out, 'rootfs.raw')]);
        await copyIntoExt4(root, entries, join(out, 'rootfs.raw'));
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

interface StagedEntry {
  /** Absolute in the guest. */
  readonly path: string;
  readonly type: 'dir' | 'file' | 'symlink';
  readonly mode: number;
  /** File content hash or symlink target; '' for directories. */
  readonly content: string;
}

async function walk(root: string, rel = ''): Promise<StagedEntry[]> {
  const out: StagedEntry[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const path = `${rel}/${name}`;
    const st = await lstat(join(root, path));
    const mode = st.mode & 0o7777;
    if (st.isDirectory()) {
      out.push({ path, type: 'dir', mode, content: '' });
      out.push(...(await walk(root, path)));
    } else if (st.isSymbolicLink()) {
      out.push({ path, type: 'symlink', mode, content: await readlink(join(root, path)) });
    } else {
      out.push({ path, type: 'file', mode, content: hash([await readFile(join(root, path))]) });
    }
  }
  return out;
}

/** Writes the staged tree into an ext4 image with debugfs, owned by root, then checks the file system. */
async function copyIntoExt4(root: string, entries: readonly StagedEntry[], image: string): Promise<void> {
  const commands: string[] = [];
  for (const e of entries) {
    const octal = (type: number) => `0${(type | e.mode).toString(8)}`;
    if (e.type === 'dir') {
      // Fails harmlessly where the base has the directory already.
      commands.push(`mkdir ${e.path}`, `sif ${e.path} mode ${octal(0o040000)}`);
      continue;
    }
    commands.push(`rm ${e.path}`);
    if (e.type === 'symlink') commands.push(`symlink ${e.path} ${e.content}`);
    else commands.push(`write ${join(root, e.path)} ${e.path}`, `sif ${e.path} mode ${octal(0o100000)}`);
    commands.push(`sif ${e.path} uid 0`, `sif ${e.path} gid 0`);
  }
  const script = join(dirname(image), 'debugfs.commands');
  await writeFile(script, `${commands.join('\n')}\n`);
  execFileSync('debugfs', ['-w', '-f', script, image], { stdio: 'ignore' });
  execFileSync('e2fsck', ['-fn', image], { stdio: 'ignore' });
  for (const e of entries) {
    const listing = execFileSync('debugfs', ['-R', `stat ${e.path}`, image], { stdio: 'pipe' }).toString();
    if (!listing.includes('Inode:')) throw new Error(`debugfs did not install ${e.path} into ${image}`);
  }
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
