/**
 * File contents for the bench data sets: source-like text, configs, CSV tables and semi-compressible
 * binaries. Each call takes its own Rng, so a file's bytes depend only on its seed (not on the order in
 * which files are written), which lets the generator reproduce a file or an image extent anywhere.
 */
import type { ByteStream, Rng } from './prng.js';

const STEMS = (
  'track jet hit calo muon vertex pt eta phi energy cluster seed event run lumi trigger reco sim geom ' +
  'cond calib align fit kalman hist tree branch cut weight sample lepton photon tau btag pileup ' +
  'tower cell sector layer module chamber strip pixel digit buffer cache index handle config ' +
  'stream reader writer store source sink filter merge split scale offset count total'
).split(' ');
const WORDS = (
  'the a of to and in is for this that with we on be as it by from are not at if or use only when ' +
  'value check keep see note because before after each every return compute update result first ' +
  'last missing default fallback correct correction should must may does needs loop input output'
).split(' ');
const TYPES = ['int', 'double', 'float', 'bool', 'std::size_t', 'std::string', 'TLorentzVector', 'auto'];
const HEADERS = ['vector', 'string', 'memory', 'map', 'cmath', 'algorithm', 'iostream', 'stdexcept'];

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (r: Rng): string => r.pick(STEMS) + cap(r.pick(STEMS));
const klass = (r: Rng): string => cap(r.pick(STEMS)) + cap(r.pick(STEMS));
const snake = (r: Rng): string => `${r.pick(STEMS)}_${r.pick(STEMS)}`;
const num = (r: Rng): string => String(r.int(r.chance(0.7) ? 16 : 4096));
const flt = (r: Rng): string => (r.float() * 100).toFixed(r.range(1, 4));
const words = (r: Rng, n: number): string => Array.from({ length: n }, () => r.pick(WORDS)).join(' ');
const pad = (r: Rng): string => '  '.repeat(r.int(4));

type Template = (r: Rng) => string;

const CPP: readonly Template[] = [
  (r) => `#include "${r.pick(STEMS)}/${klass(r)}.h"`,
  (r) => `#include <${r.pick(HEADERS)}>`,
  (r) => `namespace ${r.pick(STEMS)} {`,
  (r) => `class ${klass(r)} : public ${klass(r)} {`,
  (r) => `${pad(r)}${r.pick(TYPES)} ${camel(r)}(const ${klass(r)}& ${camel(r)}) const;`,
  (r) => `${pad(r)}${r.pick(TYPES)} ${camel(r)}_ = ${num(r)};`,
  (r) => `${pad(r)}for (std::size_t i = 0; i < ${camel(r)}.size(); ++i) {`,
  (r) => `${pad(r)}${camel(r)}[i] += ${camel(r)}[i] * ${flt(r)};`,
  (r) => `${pad(r)}if (!${camel(r)}) throw std::runtime_error("${words(r, 4)}");`,
  (r) => `${pad(r)}return ${camel(r)};`,
  (r) => `${pad(r)}// ${cap(words(r, r.range(3, 12)))}.`,
  (r) => `${pad(r)}auto ${camel(r)} = std::make_unique<${klass(r)}>(${camel(r)}, ${num(r)});`,
  (r) => `${pad(r)}LOG(INFO) << "${words(r, 3)}: " << ${camel(r)}->get${klass(r)}();`,
  () => '}',
  () => '',
];

const PY: readonly Template[] = [
  (r) => `import ${r.pick(STEMS)}`,
  (r) => `from ${r.pick(STEMS)}.${r.pick(STEMS)} import ${klass(r)}`,
  (r) => `def ${snake(r)}(self, ${snake(r)}, ${r.pick(STEMS)}=${num(r)}):`,
  (r) => `${pad(r)}"""${cap(words(r, r.range(3, 10)))}."""`,
  (r) => `${pad(r)}${snake(r)} = ${r.pick(STEMS)}.${snake(r)}(${snake(r)})`,
  (r) => `${pad(r)}if ${snake(r)} is None:`,
  (r) => `${pad(r)}raise ValueError("${words(r, 4)}")`,
  (r) => `${pad(r)}for ${r.pick(STEMS)} in range(len(${snake(r)})):`,
  (r) => `${pad(r)}self.${snake(r)} = np.zeros((${num(r)}, ${num(r)}))`,
  (r) => `${pad(r)}# ${words(r, r.range(3, 12))}`,
  (r) => `${pad(r)}return ${snake(r)}`,
  () => '',
];

const PROSE: readonly Template[] = [
  (r) => `${cap(words(r, r.range(6, 16)))}.`,
  (r) => `## ${cap(r.pick(STEMS))} ${r.pick(STEMS)}`,
  (r) => `- \`${snake(r)}\`: ${words(r, r.range(3, 9))}`,
  () => '',
];

/** Languages of the text generator. */
export type Lang = 'cpp' | 'py' | 'prose';
const TEMPLATES: Record<Lang, readonly Template[]> = { cpp: CPP, py: PY, prose: PROSE };
const LICENSE: Record<Lang, readonly string[]> = {
  cpp: [
    '// Copyright CERN for the benefit of the collaboration. Licensed under the Apache License 2.0.\n',
    '/*\n * This file is part of the reconstruction software.\n * Distributed under the GPL v3.\n */\n',
  ],
  py: ['# SPDX-License-Identifier: Apache-2.0\n# Part of the analysis framework; see LICENSE for details.\n'],
  prose: ['<!-- Generated documentation; edit the sources instead. -->\n'],
};

interface Pool {
  readonly data: Buffer;
  /** Offset of each line in `data`, plus one final entry for the end. */
  readonly starts: Uint32Array;
}

/** Source-like text built from a large shared pool of lines, so redundancy resembles a real code base. */
export class TextSource {
  private readonly pools: Record<Lang, Pool>;

  constructor(rng: Rng, poolLines: number) {
    // One buffer per language rather than a Buffer per line: a tenth of the memory, and a run of
    // consecutive lines becomes a single copy.
    const pool = (lang: Lang): Pool => {
      const lines = Array.from({ length: poolLines }, () => `${rng.pick(TEMPLATES[lang])(rng)}\n`);
      const starts = new Uint32Array(poolLines + 1);
      for (let i = 0; i < poolLines; i++)
        starts[i + 1] = (starts[i] as number) + Buffer.byteLength(lines[i] as string);
      return { data: Buffer.from(lines.join('')), starts };
    };
    this.pools = { cpp: pool('cpp'), py: pool('py'), prose: pool('prose') };
  }

  /** Exactly `size` bytes: short runs of pooled lines (shared boilerplate) mixed with fresh lines. */
  text(rng: Rng, size: number, lang: Lang, withHeader = true): Buffer {
    const out = Buffer.allocUnsafe(size);
    const { data, starts } = this.pools[lang];
    const lines = starts.length - 1;
    let pos = withHeader ? Buffer.from(rng.pick(LICENSE[lang])).copy(out, 0) : 0;
    while (pos < size) {
      if (rng.chance(0.1)) {
        pos += Buffer.from(`${rng.pick(TEMPLATES[lang])(rng)}\n`).copy(out, pos);
        continue;
      }
      const first = rng.int(lines);
      const end = Math.min(lines, first + rng.range(1, 4));
      pos += data.copy(out, pos, starts[first], starts[end]);
    }
    return out;
  }
}

/** A small YAML-like config file of exactly `size` bytes. */
export function configText(rng: Rng, size: number): Buffer {
  const lines: string[] = [`# ${words(rng, 6)}`];
  let len = lines[0]?.length ?? 0;
  while (len < size) {
    const line = rng.chance(0.2)
      ? `${snake(rng)}:`
      : `  ${snake(rng)}: ${rng.chance(0.5) ? num(rng) : rng.chance(0.5) ? flt(rng) : JSON.stringify(camel(rng))}`;
    lines.push(line);
    len += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`).subarray(0, size);
}

/** A numeric CSV table of exactly `size` bytes (compresses about 2:1, like real ntuple dumps). */
export function csvText(rng: Rng, size: number): Buffer {
  const parts: string[] = ['run,event,pt,eta,phi,energy,charge\n'];
  let len = parts[0]?.length ?? 0;
  let event = rng.int(1_000_000);
  const run = 300_000 + rng.int(50_000);
  while (len < size) {
    event += 1 + rng.int(7);
    const row =
      `${run},${event},${(rng.float() * 200).toFixed(3)},${(rng.float() * 5 - 2.5).toFixed(4)},` +
      `${((rng.float() * 2 - 1) * Math.PI).toFixed(4)},${(rng.float() * 500).toFixed(2)},${rng.chance(0.5) ? 1 : -1}\n`;
    parts.push(row);
    len += row.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

const BLOCK = 64 * 1024;

/**
 * Binary like a shared library or a conditions database: 64 KiB blocks that are random, low-entropy
 * (masked random bytes), text, or zeros. Compresses to roughly 60-70 %.
 */
export function semiBinary(rng: Rng, bytes: ByteStream, text: TextSource, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let pos = 0; pos < size; pos += BLOCK) {
    const n = Math.min(BLOCK, size - pos);
    const roll = rng.float();
    if (roll < 0.45) {
      bytes.next(n).copy(out, pos);
    } else if (roll < 0.75) {
      // Small integers and opcodes: few distinct byte values, so entropy coding halves them.
      const raw = bytes.next(n);
      for (let i = 0; i < n; i++) out[pos + i] = (raw[i] as number) & 0x0f;
    } else if (roll < 0.92) {
      text.text(rng, n, 'cpp', false).copy(out, pos);
    }
    // The rest stays zero: padding and alignment gaps.
  }
  return out;
}
