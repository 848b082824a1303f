/**
 * The "tree" data set: an analysis area with software, conditions and notes, and its v2 (1 % of the
 * files edited in place, appended, created or deleted). Everything follows from the seed.
 */
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  openSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { configText, csvText, type Lang, semiBinary, type TextSource } from './content.js';
import { ByteStream, Rng } from './prng.js';

/** Size parameters of the tree data set. */
export interface TreeSpec {
  readonly files: number;
  readonly bytes: number;
  readonly binaries: number;
  readonly binaryBytes: number;
  readonly changeFraction: number;
}

type Kind = Lang | 'config' | 'csv' | 'random' | 'semi';
interface FileEntry {
  path: string;
  kind: Kind;
  size: number;
  seed: string;
}

/** What a v2 mutation did, for the report. */
export interface ChangeStats {
  readonly changedBytes: number;
  readonly compressedBytes?: number | undefined;
  readonly detail: string;
}

// Top-level areas avoid names the full-root recipe leaves out (tmp, proc, dev, var/cache, build...).
const AREAS: readonly { name: string; share: number; kinds: readonly [Kind, number][] }[] = [
  {
    name: 'sw',
    share: 0.5,
    kinds: [
      ['cpp', 0.65],
      ['py', 0.2],
      ['config', 0.1],
      ['prose', 0.05],
    ],
  },
  {
    name: 'work',
    share: 0.35,
    kinds: [
      ['py', 0.4],
      ['cpp', 0.25],
      ['config', 0.15],
      ['csv', 0.15],
      ['prose', 0.05],
    ],
  },
  {
    name: 'conditions',
    share: 0.08,
    kinds: [
      ['config', 0.5],
      ['csv', 0.5],
    ],
  },
  {
    name: 'notes',
    share: 0.07,
    kinds: [
      ['prose', 0.7],
      ['py', 0.3],
    ],
  },
];
const DIR_NAMES = (
  'src include python test tests data config scripts docs plugins interface macros higgs ww zz ttbar ' +
  'reco sim calib align tracking muons jets egamma btag trigger common utils core io geometry fit ' +
  'plots tables selection skim ntuple v1 v2 2024 2025 2026 legacy'
).split(' ');
const EXT: Record<Kind, readonly string[]> = {
  cpp: ['.cc', '.h', '.cxx', '.hpp'],
  py: ['.py'],
  prose: ['.md', '.txt'],
  config: ['.yaml', '.cfg', '.json', '.ini'],
  csv: ['.csv'],
  random: ['.root'],
  semi: ['.so'],
};
const FILE_STEMS =
  'track jet hit muon vertex cluster event trigger calib align fit hist cut weight tower'.split(' ');
const BINARIES: readonly { path: string; kind: Kind }[] = [
  { path: 'sw/reco/2.4.1/lib/libRecoPhysics.so', kind: 'semi' },
  { path: 'conditions/calib/calib-2026.db', kind: 'semi' },
  { path: 'work/higgs/data/events-skim.root', kind: 'random' },
];

function rawSize(rng: Rng, kind: Kind): number {
  const logNormal = (median: number, sigma: number, lo: number, hi: number): number =>
    Math.round(Math.min(hi, Math.max(lo, median * Math.exp(sigma * rng.normal()))));
  if (kind === 'config') return logNormal(600, 0.8, 60, 8000);
  if (kind === 'csv') return logNormal(15_000, 1.2, 1000, 4_000_000);
  if (kind === 'prose') return logNormal(2500, 1.0, 100, 200_000);
  return logNormal(5000, 1.1, 200, 2_000_000);
}

/** The list of files, deterministic for a seed; sizes are scaled so the total matches the spec. */
export function planTree(spec: TreeSpec, seed: string): FileEntry[] {
  const rng = new Rng(`${seed}/tree/plan`);
  const dirs = new Map<string, string[]>(AREAS.map((a) => [a.name, [a.name]]));
  for (const area of AREAS) {
    const list = dirs.get(area.name) as string[];
    const wanted = Math.max(2, Math.round((spec.files * area.share) / 12));
    while (list.length < wanted) {
      const parent = rng.pick(list);
      if (parent.split('/').length >= 7) continue;
      let name = join(parent, rng.pick(DIR_NAMES));
      if (list.includes(name)) name = `${name}-${list.length}`;
      list.push(name);
    }
  }
  const taken = new Set<string>(BINARIES.map((b) => b.path));
  const files: FileEntry[] = [];
  for (let i = 0; files.length < spec.files - spec.binaries; i++) {
    const area = rng.weighted(AREAS.map((a) => [a, a.share]));
    const kind = rng.weighted(area.kinds);
    const dir = rng.pick(dirs.get(area.name) as string[]);
    let path = join(dir, `${rng.pick(FILE_STEMS)}_${rng.pick(FILE_STEMS)}${rng.pick(EXT[kind])}`);
    if (taken.has(path)) path = path.replace(/(\.[a-z]+)$/, `_${i}$1`);
    taken.add(path);
    files.push({ path, kind, size: rawSize(rng, kind), seed: `${seed}/tree/file/${i}` });
  }
  // Configs stay small; source, prose and tables absorb the rest of the byte budget.
  const fixed = files.filter((f) => f.kind === 'config').reduce((s, f) => s + f.size, 0);
  const scalable = files.filter((f) => f.kind !== 'config').reduce((s, f) => s + f.size, 0);
  const factor = (spec.bytes - spec.binaries * spec.binaryBytes - fixed) / scalable;
  for (const f of files) if (f.kind !== 'config') f.size = Math.max(1, Math.round(f.size * factor));
  // Real areas hold copies (vendored headers, copied configs): 3 % duplicate an earlier file.
  for (let i = 1; i < files.length; i++) {
    const f = files[i] as FileEntry;
    if (!rng.chance(0.03)) continue;
    const src = files[rng.int(i)] as FileEntry;
    if (src.kind !== f.kind) continue;
    f.seed = src.seed;
    f.size = src.size;
  }
  for (const [i, b] of BINARIES.slice(0, spec.binaries).entries()) {
    files.push({ path: b.path, kind: b.kind, size: spec.binaryBytes, seed: `${seed}/tree/binary/${i}` });
  }
  return files;
}

function content(f: { kind: Kind; size: number; seed: string }, text: TextSource): Buffer {
  const rng = new Rng(f.seed);
  switch (f.kind) {
    case 'config':
      return configText(rng, f.size);
    case 'csv':
      return csvText(rng, f.size);
    case 'random':
      return new ByteStream(f.seed).next(f.size);
    case 'semi':
      return semiBinary(rng, new ByteStream(f.seed), text, f.size);
    default:
      return text.text(rng, f.size, f.kind);
  }
}

const CHUNK = 4 * 1024 * 1024;

// The 100 MiB binaries go out in 4 MiB pieces to keep memory flat; a multiple of semiBinary's block
// size, so the bytes are the same as one big call would give.
function writeFile(path: string, f: FileEntry, text: TextSource): void {
  if (f.kind !== 'random' && f.kind !== 'semi') {
    writeFileSync(path, content(f, text));
    return;
  }
  const rng = new Rng(f.seed);
  const bytes = new ByteStream(f.seed);
  const fd = openSync(path, 'w');
  try {
    for (let pos = 0; pos < f.size; pos += CHUNK) {
      const n = Math.min(CHUNK, f.size - pos);
      writeSync(fd, f.kind === 'random' ? bytes.next(n) : semiBinary(rng, bytes, text, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes v1 of the tree under `root`; returns the number of files and bytes. */
export function writeTree(
  root: string,
  spec: TreeSpec,
  seed: string,
  text: TextSource,
): { files: number; bytes: number } {
  const files = planTree(spec, seed);
  const made = new Set<string>();
  let bytes = 0;
  for (const f of files) {
    const dir = dirname(join(root, f.path));
    if (!made.has(dir)) mkdirSync(dir, { recursive: true });
    made.add(dir);
    writeFile(join(root, f.path), f, text);
    bytes += f.size;
  }
  return { files: files.length, bytes };
}

/** Turns the v1 tree at `root` into v2 in place, the way a user's day of work would. */
export function mutateTree(root: string, spec: TreeSpec, seed: string, text: TextSource): ChangeStats {
  const files = planTree(spec, seed).filter((f) => f.kind !== 'random' && f.kind !== 'semi');
  const rng = new Rng(`${seed}/tree/v2`);
  const wanted = Math.round(spec.files * spec.changeFraction);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(wanted, files.length)) chosen.add(rng.int(files.length));
  const count = { edited: 0, appended: 0, created: 0, deleted: 0 };
  let changedBytes = 0;
  for (const i of chosen) {
    const f = files[i] as FileEntry;
    const path = join(root, f.path);
    const lang: Lang = f.kind === 'cpp' || f.kind === 'py' || f.kind === 'prose' ? f.kind : 'prose';
    const roll = rng.float();
    if (roll < 0.65) {
      const len = Math.min(f.size, rng.range(256, 8192));
      const edit = content({ kind: f.kind, size: len, seed: `${f.seed}/edit` }, text);
      const fd = openSync(path, 'r+');
      writeSync(fd, edit, 0, len, rng.int(f.size - len + 1));
      closeSync(fd);
      count.edited++;
      changedBytes += len;
    } else if (roll < 0.8) {
      const len = rng.range(512, 20_000);
      appendFileSync(path, text.text(rng, len, lang, false));
      count.appended++;
      changedBytes += len;
    } else if (roll < 0.9) {
      const len = rawSize(rng, 'py');
      writeFileSync(join(dirname(path), `new_${i}.py`), text.text(rng, len, 'py'));
      count.created++;
      changedBytes += len;
    } else {
      unlinkSync(path);
      count.deleted++;
    }
  }
  const detail = `${count.edited} edited, ${count.appended} appended, ${count.created} new, ${count.deleted} deleted`;
  return { changedBytes, detail };
}
