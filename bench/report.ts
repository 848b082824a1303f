/**
 * Turning runs into the report: medians per tool and data set, ratios against restic, VML's targets
 * with pass/fail, and the markdown block that goes between the markers of docs/performance.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { DataSetName } from './generate.js';
import type { Sample } from './measure.js';

const MiB = 1024 * 1024;

/** Everything measured in one run of one tool on one data set. */
export interface RunResult {
  readonly tool: string;
  readonly dataset: DataSetName;
  readonly run: number;
  readonly v1Bytes: number;
  readonly v2Bytes: number;
  readonly changedBytes: number;
  readonly changedCompressed: number | undefined;
  readonly init: Sample;
  readonly backup1: Sample;
  readonly backup2: Sample;
  readonly backup3: Sample;
  readonly restore: Sample;
  readonly repoV1: number;
  readonly repoNoChange: number;
  readonly repoV2: number;
}

interface Target {
  readonly text: string;
  readonly op: '<=' | '>=';
  /** The limit VML must meet, from restic's median (undefined: cannot be judged). */
  limit(restic: number | undefined): number | undefined;
}

interface Row {
  readonly label: string;
  readonly unit: string;
  value(r: RunResult): number;
  readonly target?: Target;
  readonly only?: DataSetName;
}

const cpu = (s: Sample): number => (s.user + s.sys) / s.wall;
const vsRestic = (op: '<=' | '>=', factor: number, text: string): Target => ({
  text,
  op,
  limit: (restic) => (restic === undefined ? undefined : restic * factor),
});
const absolute = (op: '<=' | '>=', limit: number, text: string): Target => ({ text, op, limit: () => limit });

const ROWS: readonly Row[] = [
  { label: 'First backup', unit: 's', value: (r) => r.backup1.wall },
  {
    label: 'First backup throughput',
    unit: 'MiB/s',
    value: (r) => r.v1Bytes / MiB / r.backup1.wall,
    target: vsRestic('>=', 1, '≥ restic'),
  },
  {
    label: 'No-change re-backup',
    unit: 's',
    value: (r) => r.backup2.wall,
    target: vsRestic('<=', 0.5, '≤ 0.5× restic'),
  },
  {
    label: 'v2 (changed) backup',
    unit: 's',
    value: (r) => r.backup3.wall,
    target: vsRestic('<=', 0.5, '≤ 0.5× restic'),
  },
  { label: 'Restore v2', unit: 's', value: (r) => r.restore.wall },
  {
    label: 'Restore throughput',
    unit: 'MiB/s',
    value: (r) => r.v2Bytes / MiB / r.restore.wall,
    target: vsRestic('>=', 1, '≥ restic'),
  },
  {
    label: 'Repository after v1',
    unit: 'MiB',
    value: (r) => r.repoV1 / MiB,
    target: vsRestic('<=', 1, '≤ restic'),
  },
  {
    label: 'Repository after v2',
    unit: 'MiB',
    value: (r) => r.repoV2 / MiB,
    target: vsRestic('<=', 1, '≤ restic'),
  },
  { label: 'Added by v2', unit: 'MiB', value: (r) => (r.repoV2 - r.repoNoChange) / MiB },
  {
    label: 'Added by v2 / changed bytes',
    unit: '×',
    value: (r) => (r.repoV2 - r.repoNoChange) / r.changedBytes,
  },
  {
    label: 'Added by v2 / zstd-3 of changed bytes',
    unit: '×',
    value: (r) => (r.repoV2 - r.repoNoChange) / (r.changedCompressed ?? Number.NaN),
    target: absolute('<=', 1.2, '≤ 1.2'),
    only: 'image',
  },
  {
    label: 'Peak RSS (any step)',
    unit: 'MiB',
    value: (r) => Math.max(...[r.init, r.backup1, r.backup2, r.backup3, r.restore].map((s) => s.maxRssMiB)),
    target: absolute('<=', 300, '≤ 300 MiB'),
  },
  {
    label: 'CPU use, first backup',
    unit: 'cores',
    value: (r) => cpu(r.backup1),
    target: absolute('>=', 1.5, '≥ 1.5 of 2'),
  },
  { label: 'CPU use, v2 backup', unit: 'cores', value: (r) => cpu(r.backup3) },
  { label: 'CPU use, restore', unit: 'cores', value: (r) => cpu(r.restore) },
];

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** Fixed significant digits that stay readable from 0.05 s to 4000 MiB. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  return x.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

function verdict(target: Target, vml: number | undefined, restic: number | undefined): string {
  if (vml === undefined || !Number.isFinite(vml)) return 'not measured';
  const limit = target.limit(restic);
  if (limit === undefined || !Number.isFinite(limit)) return 'n/a (no restic figure)';
  const ratio = vml / limit;
  const pass = target.op === '<=' ? ratio <= 1 : ratio >= 1;
  const by = Math.round(Math.abs(ratio - 1) * 100);
  return pass ? `pass (${by} % margin)` : `**FAIL** (${by} % off)`;
}

/** What the header of one data set's table says about it. */
export interface DataSetInfo {
  readonly name: DataSetName;
  readonly description: string;
}

/** One markdown table per data set: rows are measures, columns are tools, then VML's target. */
export function tables(
  results: readonly RunResult[],
  tools: readonly string[],
  sets: readonly DataSetInfo[],
): string {
  const out: string[] = [];
  for (const set of sets) {
    const mine = results.filter((r) => r.dataset === set.name);
    if (mine.length === 0) continue;
    out.push(`### ${set.name}`, '', set.description, '');
    out.push(`| Measure | ${tools.join(' | ')} | VML target | VML verdict |`);
    out.push(`|---|${tools.map(() => '--:|').join('')}---|---|`);
    for (const row of ROWS) {
      if (row.only !== undefined && row.only !== set.name) continue;
      const med = new Map<string, number>();
      for (const t of tools) {
        const runs = mine.filter((r) => r.tool === t);
        if (runs.length > 0) med.set(t, median(runs.map((r) => row.value(r))));
      }
      const restic = med.get('restic');
      const cells = tools.map((t) => {
        const v = med.get(t);
        if (v === undefined) return 'skipped';
        const ratio =
          t !== 'restic' && restic !== undefined && restic !== 0 && Number.isFinite(v)
            ? v / restic
            : undefined;
        return ratio === undefined || !Number.isFinite(ratio) ? fmt(v) : `${fmt(v)} (${fmt(ratio)}×)`;
      });
      const target =
        row.target === undefined ? ['', ''] : [row.target.text, verdict(row.target, med.get('VML'), restic)];
      out.push(`| ${row.label} (${row.unit}) | ${cells.join(' | ')} | ${target.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Puts `block` between the markers of `path`, keeping the hand-written text around them. */
export function writeDoc(path: string, block: string): void {
  const fresh = `# Performance\n\n${START}\n${END}\n`;
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : fresh;
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  const body = `${START}\n<!-- Generated by "npm run bench"; edits here are overwritten. -->\n\n${block.trim()}\n\n${END}`;
  const next =
    start >= 0 && end > start
      ? doc.slice(0, start) + body + doc.slice(end + END.length)
      : `${doc.trimEnd()}\n\n## Results\n\n${body}\n`;
  writeFileSync(path, next);
}
