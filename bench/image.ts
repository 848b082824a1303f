/**
 * The "image" data set: one raw disk image whose bytes look like a filled ext4 file system (zeroed
 * free space, repeated metadata blocks, text, compressed and binary files, duplicated files), and its
 * v2 (scattered regions rewritten in place). Written extent by extent so memory stays small.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { semiBinary, type TextSource } from './content.js';
import { ByteStream, Rng } from './prng.js';
import type { ChangeStats } from './tree.js';

/** Size parameters of the image data set. */
export interface ImageSpec {
  readonly bytes: number;
  readonly changedBytes: number;
  readonly regionMin: number;
  readonly regionMax: number;
}

type ExtentKind = 'zero' | 'repeat' | 'text' | 'random' | 'semi' | 'copy';
interface Extent {
  kind: ExtentKind;
  size: number;
  seed: string;
  /** For copies: the extent whose content this one repeats (a file stored twice). */
  of?: Extent;
}

const BLOCK = 4096;
const KINDS: readonly [ExtentKind, number][] = [
  ['zero', 0.3],
  ['repeat', 0.08],
  ['text', 0.27],
  ['random', 0.25],
  ['semi', 0.05],
  ['copy', 0.05],
];

function planImage(spec: ImageSpec, seed: string): Extent[] {
  const rng = new Rng(`${seed}/image/plan`);
  const extents: Extent[] = [];
  const originals: Extent[] = [];
  for (let pos = 0, i = 0; pos < spec.bytes; i++) {
    const kind = rng.weighted(KINDS);
    let size = BLOCK * rng.range(16, 4096);
    const extent: Extent = { kind, size, seed: `${seed}/image/extent/${i}` };
    if (kind === 'copy') {
      const of = originals.length > 0 ? rng.pick(originals) : undefined;
      if (of === undefined) extent.kind = 'random';
      else {
        extent.of = of;
        size = of.size;
      }
    } else if (kind !== 'zero') originals.push(extent);
    extent.size = Math.min(size, spec.bytes - pos);
    extents.push(extent);
    pos += extent.size;
  }
  return extents;
}

function extentBytes(e: Extent, text: TextSource): Buffer {
  const rng = new Rng(e.seed);
  switch (e.kind) {
    case 'zero':
      return Buffer.alloc(e.size);
    case 'repeat': {
      // Inode tables and bitmaps: one block pattern over and over.
      const block = semiBinary(rng, new ByteStream(e.seed), text, BLOCK);
      const out = Buffer.allocUnsafe(e.size);
      for (let p = 0; p < e.size; p += BLOCK) block.copy(out, p);
      return out;
    }
    case 'text':
      return text.text(rng, e.size, rng.pick(['cpp', 'py', 'prose'] as const), false);
    case 'random':
      return new ByteStream(e.seed).next(e.size);
    case 'semi':
      return semiBinary(rng, new ByteStream(e.seed), text, e.size);
    case 'copy':
      return extentBytes(e.of as Extent, text).subarray(0, e.size);
  }
}

/** Writes v1 of the image to `path`; returns its size. */
export function writeImage(path: string, spec: ImageSpec, seed: string, text: TextSource): number {
  const fd = openSync(path, 'w');
  let pos = 0;
  try {
    for (const e of planImage(spec, seed)) {
      const buf = extentBytes(e, text);
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off, pos + off);
      pos += buf.length;
    }
  } finally {
    closeSync(fd);
  }
  return pos;
}

/** zstd level 3 size of `buf`, the reference for "bytes added vs bytes changed"; undefined on old Node. */
function zstdSize(buf: Buffer): number | undefined {
  if (typeof zlib.zstdCompressSync !== 'function') return undefined;
  return zlib.zstdCompressSync(buf, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 } }).length;
}

/** Rewrites scattered regions of the image in place (half random, half text, per 256 KiB piece). */
export function mutateImage(path: string, spec: ImageSpec, seed: string, text: TextSource): ChangeStats {
  const rng = new Rng(`${seed}/image/v2`);
  const regions: [number, number][] = [];
  let changedBytes = 0;
  while (changedBytes < spec.changedBytes) {
    const want = BLOCK * Math.round(rng.range(spec.regionMin, spec.regionMax) / BLOCK);
    const len = Math.min(want, spec.changedBytes - changedBytes);
    const start = BLOCK * rng.int((spec.bytes - len) / BLOCK);
    // Keep regions apart so each one is a separate change, as scattered writes would be.
    if (regions.some(([s, l]) => start < s + l + spec.regionMax && s < start + len + spec.regionMax))
      continue;
    regions.push([start, len]);
    changedBytes += len;
  }
  const fd = openSync(path, 'r+');
  let compressed: number | undefined = 0;
  try {
    for (const [i, [start, len]] of regions.entries()) {
      for (let off = 0; off < len; off += 256 * 1024) {
        const n = Math.min(256 * 1024, len - off);
        const pieceSeed = `${seed}/image/v2/${i}/${off}`;
        const piece = rng.chance(0.5)
          ? new ByteStream(pieceSeed).next(n)
          : text.text(new Rng(pieceSeed), n, 'cpp', false);
        writeSync(fd, piece, 0, n, start + off);
        const z = zstdSize(piece);
        compressed = z === undefined || compressed === undefined ? undefined : compressed + z;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { changedBytes, compressedBytes: compressed, detail: `${regions.length} regions rewritten` };
}
