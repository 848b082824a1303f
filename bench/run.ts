/**
 * `npm run bench`: VML side by side with restic and borg on the same generated data, medians of N
 * runs, ratios against restic, VML's targets; prints the tables and writes docs/performance.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type DataSet, type DataSetName, prepare, SPECS } from './generate.js';
import { haveGnuTime, measure, tail } from './measure.js';
import { type DataSetInfo, type RunResult, tables, writeDoc } from './report.js';
import { runOnce } from './session.js';
import { ROOT, TOOLS, type Tool } from './tools.js';
import type { ChangeStats } from './tree.js';

const USAGE = `Usage: npm run bench -- [options]
  --runs N          runs per tool and data set; the report shows medians (default 3)
  --quick           small data sets for a smoke test; does not touch the doc unless --write
  --tools LIST      comma-separated subset of vml,restic,borg (default: all)
  --datasets LIST   comma-separated subset of tree,image (default: both)
  --write           write docs/performance.md even with --quick or a subset of tools
  --no-doc          never write docs/performance.md
  --no-verify       skip the byte-for-byte check of the first restore
  --generate-only   generate (or check) the data sets and stop
  -h, --help        this text`;

const MiB = 1024 * 1024;
const RUN_JS = fileURLToPath(import.meta.url);
/** Set in the environment of the generator child. */
const CHILD = 'VML_BENCH_GENERATOR';
const say = (line: string): void => console.log(line);

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      quick: { type: 'boolean', default: false },
      tools: { type: 'string', default: 'vml,restic,borg' },
      datasets: { type: 'string', default: 'tree,image' },
      write: { type: 'boolean', default: false },
      'no-doc': { type: 'boolean', default: false },
      'no-verify': { type: 'boolean', default: false },
      'generate-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const runs = Number(values.runs);
  const tools = values.tools.split(',').map((t) => t.trim().toLowerCase());
  const datasets = values.datasets.split(',').map((d) => d.trim());
  const bad = [
    ...(Number.isInteger(runs) && runs >= 1
      ? []
      : [`--runs must be a positive integer, not "${values.runs}"`]),
    ...tools.filter((t) => !TOOLS.some((x) => x.name.toLowerCase() === t)).map((t) => `unknown tool "${t}"`),
    ...datasets.filter((d) => d !== 'tree' && d !== 'image').map((d) => `unknown data set "${d}"`),
  ];
  if (values.help || bad.length > 0) {
    for (const b of bad) console.error(`Error: ${b}`);
    console.log(USAGE);
    process.exit(bad.length > 0 ? 2 : 0);
  }
  return { ...values, runs, tools, datasets: datasets as DataSetName[] };
}

function describe(ds: DataSet, change: ChangeStats | undefined): string {
  const what =
    ds.name === 'tree'
      ? `${(ds.bytes / MiB).toFixed(0)} MiB in ${ds.files} files (source-like text, configs, CSV, 3 binaries).`
      : `${(ds.bytes / MiB).toFixed(0)} MiB raw disk image (zeros, repeated blocks, text, random, duplicated extents).`;
  if (change === undefined) return what;
  const z =
    change.compressedBytes === undefined
      ? ''
      : `, ${(change.compressedBytes / MiB).toFixed(1)} MiB after zstd -3`;
  return `${what} v2: ${change.detail}, ${(change.changedBytes / MiB).toFixed(1)} MiB written${z}.`;
}

/**
 * Generates the data sets in a child Node with a small heap: the generator's live data is small, but
 * V8 would otherwise grow its heap past 300 MiB on string garbage alone.
 */
async function generateInChild(quick: boolean, datasets: readonly string[], work: string): Promise<void> {
  const logs = join(work, 'logs');
  mkdirSync(logs, { recursive: true });
  const args = [...(quick ? ['--quick'] : []), '--datasets', datasets.join(',')];
  const flags = ['--max-old-space-size=80', '--max-semi-space-size=8'];
  const sample = await measure({
    file: process.execPath,
    args: [...flags, RUN_JS, ...args],
    log: join(logs, 'generate'),
    // Without this marker the child would take the parent's path and spawn a generator of its own.
    env: { [CHILD]: '1' },
  });
  process.stdout.write(tail(join(logs, 'generate.out')));
  say(
    `  data sets ready in ${sample.wall.toFixed(1)} s, generator peak RSS ${sample.maxRssMiB.toFixed(0)} MiB`,
  );
}

async function main(): Promise<void> {
  const opt = options();
  const started = performance.now();
  const spec = SPECS[opt.quick ? 'quick' : 'full'];
  const work = join(ROOT, 'bench', '.work');
  const dataRoot = join(ROOT, 'bench', '.data');
  if (process.env[CHILD] === '1') {
    for (const name of opt.datasets) {
      const ds = prepare(spec, dataRoot, name);
      say(
        `Data set "${name}" (${spec.mode}): ${ds.seconds > 0 ? `generated in ${ds.seconds.toFixed(1)} s` : 'reused'}`,
      );
    }
    return;
  }
  const notes: string[] = [];
  if (!haveGnuTime)
    notes.push('GNU time (/usr/bin/time, Debian package "time") is missing: no CPU or memory figures.');

  const tools: Tool[] = [];
  const versions: string[] = [];
  for (const tool of TOOLS.filter((t) => !opt.tools.includes(t.name.toLowerCase()))) {
    notes.push(`${tool.name} not measured in this run (not in --tools).`);
  }
  for (const tool of TOOLS.filter((t) => opt.tools.includes(t.name.toLowerCase()))) {
    const why = tool.unavailable();
    if (why === undefined) {
      tools.push(tool);
      versions.push(await tool.version());
    } else notes.push(`${tool.name} skipped: ${why}.`);
  }
  for (const n of notes) say(`Note: ${n}`);
  if (tools.length === 0) throw new Error('No tool to measure');

  await generateInChild(opt.quick, opt.datasets, work);
  if (opt['generate-only']) return;
  // Only checks the stamps now; the child has written the data.
  const sets = opt.datasets.map((name) => prepare(spec, dataRoot, name));

  const results: RunResult[] = [];
  const changes = new Map<DataSetName, ChangeStats>();
  for (const ds of sets) {
    const failed = new Set<Tool>();
    // Tools take turns within each run, so slow drift of the machine hits them all alike.
    for (let run = 1; run <= opt.runs; run++) {
      for (const tool of tools.filter((t) => !failed.has(t))) {
        try {
          const out = await runOnce(tool, ds, { work, run, verify: run === 1 && !opt['no-verify'], say });
          results.push(out.result);
          changes.set(ds.name, out.change);
          if (out.problem !== undefined) notes.push(out.problem);
        } catch (e) {
          const msg = `${tool.name} failed on ${ds.name} (run ${run}): ${e instanceof Error ? e.message : String(e)}`;
          say(`Error: ${msg}`);
          notes.push(msg.split('\n').slice(0, 3).join(' '));
          failed.add(tool);
        }
      }
    }
  }

  const infos: DataSetInfo[] = sets.map((ds) => ({
    name: ds.name,
    description: describe(ds, changes.get(ds.name)),
  }));
  const cpu = cpus();
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const machine = `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM`;
  const block = [
    `Measured ${when} UTC with \`${command}\`: ${spec.mode} data sets, median of ${opt.runs} run(s).`,
    '',
    `- Machine: ${machine}, Linux ${release()}; the whole bench took ${minutes} min.`,
    `- Tools: ${versions.join('; ')}.`,
    '- Ratios in parentheses are against restic; MiB = 2^20 bytes.',
    '',
    tables(
      results,
      TOOLS.map((t) => t.name),
      infos,
    ),
    ...(notes.length > 0 ? ['Notes from this run:', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  say(`\n${block}`);

  mkdirSync(join(work, 'results'), { recursive: true });
  const raw = join(work, 'results', `${spec.mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(raw, `${JSON.stringify({ spec, versions, notes, results }, null, 2)}\n`);
  say(`Raw results: ${raw}`);
  const complete = !opt.quick && opt.tools.length === TOOLS.length;
  if (!opt['no-doc'] && (complete || opt.write)) {
    writeDoc(join(ROOT, 'docs', 'performance.md'), block);
    say('Updated docs/performance.md');
  } else say('docs/performance.md left alone (use --write to update it from this run)');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
