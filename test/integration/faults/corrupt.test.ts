/**
 * Damage on disk (a flipped byte in a pack, a tree, an index file, a manifest): check exits 1 and names the
 * damaged file, the version and the path it costs; a version that does not use the damaged data still
 * restores byte-identical; nothing prints a stack trace.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBlob } from '../../../logbook/format/blob.js';
import { type PackedBlob, readPackTrailer } from '../../../logbook/format/pack.js';
import { decodeTree } from '../../../logbook/format/tree.js';
import {
  type AgentEvent,
  type AgentResult,
  at,
  filesBelow,
  makeGuestRoot,
  restoreSnapshot,
  runAgent,
  type SnapshotEntry,
  stackLines,
  treeSnapshot,
  writeFiles,
  writeRandomFile,
} from '../helpers/cli.js';

let T: string;
let root: string;
/** The pristine logbook: v1 (keep.txt, notes/) and v2 (adds new.bin and src/new.c). Each test damages a copy. */
let pristine: string;
let v1Tree: SnapshotEntry[];
let v2Tree: SnapshotEntry[];
/** What v2 added: its pack (data/xx/name), index file and manifest. */
let v2Pack: string;
let v2Index: string;
let v2Manifest: string;
let copies = 0;

const problems = (r: AgentResult) => r.events.filter((e) => e.type === 'check-problem');
const errors = (r: AgentResult) => problems(r).filter((p) => p.severity === 'error');
const affects = (p: AgentEvent | undefined) => (p?.affects ?? []) as { version: string; path: string }[];

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-corrupt-'));
  root = join(T, 'root');
  pristine = join(T, 'lb');
  await makeGuestRoot(root, { 'home/alice/keep.txt': 'keep me\n', 'home/alice/notes/a.txt': 'a\n' });
  const flags = [...at(root, pristine), '--entry', 'alice/test'];
  expect((await runAgent(['init', ...flags, '--no-config'])).code).toBe(0);
  expect((await runAgent(['backup', ...flags])).code).toBe(0);
  v1Tree = await treeSnapshot(join(root, 'home/alice'));
  const before = new Set((await filesBelow(pristine)).map((f) => f.path));
  await writeRandomFile(join(root, 'home/alice/new.bin'), 300_000);
  await writeFiles(root, { 'home/alice/src/new.c': 'int main(void) { return 0; }\n' });
  expect((await runAgent(['backup', ...flags])).code).toBe(0);
  v2Tree = await treeSnapshot(join(root, 'home/alice'));
  const added = (await filesBelow(pristine)).map((f) => f.path).filter((p) => !before.has(p));
  const one = (dir: string) => {
    const found = added.filter((p) => p.startsWith(`${dir}/`));
    expect(found, `v2 added one file under ${dir}/`).toHaveLength(1);
    return found[0] as string;
  };
  v2Pack = one('data');
  v2Index = one('index');
  v2Manifest = one('snapshots');
}, 60_000);

afterAll(async () => {
  if (T) await rm(T, { recursive: true, force: true });
});

/** A fresh copy of the pristine logbook. */
async function copyLogbook(): Promise<string> {
  const lb = join(T, `lb-${copies++}`);
  await cp(pristine, lb, { recursive: true });
  return lb;
}

/** Inverts `count` bytes of `file` at `offset`. */
async function flipBytes(file: string, offset: number, count = 4): Promise<void> {
  const bytes = await readFile(file);
  for (let i = 0; i < count; i++) bytes[offset + i] = (bytes[offset + i] as number) ^ 0xff;
  await writeFile(file, bytes);
}

const nameOf = (path: string) => path.split('/').pop() as string;

async function packBlobs(lb: string): Promise<{ bytes: Buffer; blobs: PackedBlob[] }> {
  const bytes = await readFile(join(lb, v2Pack));
  return { bytes, blobs: readPackTrailer(bytes, nameOf(v2Pack)) };
}

async function run(args: string[]): Promise<AgentResult> {
  const r = await runAgent(args);
  expect(stackLines(r.stderr), r.stderr).toEqual([]);
  return r;
}

async function expectRestores(lb: string, version: string, tree: SnapshotEntry[], code = 0): Promise<void> {
  const { result, tree: restored } = await restoreSnapshot(lb, version, join(T, `restore-${copies++}`));
  expect(result.code, result.stderr).toBe(code);
  expect(stackLines(result.stderr)).toEqual([]);
  expect(restored).toEqual(tree);
}

describe('a damaged logbook', () => {
  it('a flipped byte in a data blob of a pack: check --read-data names the pack, v2 and new.bin; v1 restores', async () => {
    const lb = await copyLogbook();
    const { blobs } = await packBlobs(lb);
    // new.bin's chunks are the big data blobs; src/new.c is one tiny one.
    const target = blobs
      .filter((b) => b.type === 'data')
      .sort((a, b) => b.length - a.length)[0] as PackedBlob;
    await flipBytes(join(lb, v2Pack), target.offset + Math.floor(target.length / 2));

    const human = await run(['check', ...at(root, lb), '--read-data']);
    expect(human.code, human.stdout).toBe(1);
    expect(human.stdout).toContain(
      `error: ${v2Pack.replace(/^data\/..\//, 'data/')}: Pack content does not match its name`,
    );
    expect(human.stdout).toContain('affects alice/test@v2 home/alice/new.bin');
    expect(human.stdout).not.toContain('alice/test@v1');
    expect(human.stdout).not.toContain('new.c');

    const json = await run(['check', ...at(root, lb), '--read-data', '--json']);
    expect(json.code).toBe(1);
    const pack = errors(json).find((p) => p.kind === 'pack');
    expect(pack?.name).toBe(nameOf(v2Pack));
    expect(affects(pack)).toEqual([{ version: 'alice/test@v2', path: 'home/alice/new.bin' }]);
    const blob = errors(json).find((p) => p.kind === 'blob');
    expect(blob?.name).toBe(target.id);

    await expectRestores(lb, 'alice/test@v1', v1Tree);
    const bad = await run(['restore', 'alice/test@v2', ...at(join(T, `restore-${copies++}`), lb)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      new RegExp(`error: Blob ${target.id.slice(0, 12)} in pack [0-9a-f]{12} is damaged`),
    );
    expect(bad.stderr).toContain('hint: Run "vml-agent check --read-data"');
  });

  it('a flipped byte in a tree: plain check names the tree and the directory it costs in v2', async () => {
    const lb = await copyLogbook();
    const { bytes, blobs } = await packBlobs(lb);
    const src = blobs.find((b) => {
      if (b.type !== 'tree') return false;
      const tree = decodeTree(decodeBlob(bytes.subarray(b.offset, b.offset + b.length), 'tree'), b.id);
      return tree.nodes.some((n) => n.name === 'new.c');
    }) as PackedBlob;
    expect(src).toBeDefined();
    await flipBytes(join(lb, v2Pack), src.offset + Math.floor(src.length / 2), 1);

    const human = await run(['check', ...at(root, lb)]);
    expect(human.code, human.stdout).toBe(1);
    expect(human.stdout).toContain(`error: tree ${src.id}: Tree is unreadable`);
    expect(human.stdout).toContain('affects alice/test@v2 home/alice/src');
    expect(human.stdout).not.toContain('alice/test@v1');
    await expectRestores(lb, 'alice/test@v1', v1Tree);
    const bad = await run(['restore', 'alice/test@v2', ...at(join(T, `restore-${copies++}`), lb)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*damaged/m);
  });

  it('a damaged index file: check names it and v2; v1 restores with a warning; gc re-indexes so v2 is whole again', async () => {
    const lb = await copyLogbook();
    await flipBytes(join(lb, v2Index), 20);

    const human = await run(['check', ...at(root, lb)]);
    expect(human.code, human.stdout).toBe(1);
    expect(human.stdout).toContain(`error: ${v2Index}: Index file is unreadable`);
    expect(human.stdout).toMatch(/affects alice\/test@v2/);
    expect(human.stdout).not.toContain('alice/test@v1');

    // Done with a warning (exit 3) that names the skipped index file.
    const { result, tree } = await restoreSnapshot(lb, 'alice/test@v1', join(T, `restore-${copies++}`));
    expect(result.code, result.stderr).toBe(3);
    expect(result.events.find((e) => e.type === 'warning')?.message).toContain(
      `Skipped damaged index ${nameOf(v2Index)}`,
    );
    expect(tree).toEqual(v1Tree);

    // Nothing was lost: the pack is still there, and gc rebuilds the index from its trailer.
    const gc = await run(['gc', ...at(root, lb), '--grace', '0']);
    expect(gc.code, gc.stderr).toBe(3);
    expect(gc.stderr).toContain(
      `warning: Index ${nameOf(v2Index).slice(0, 12)} is damaged; gc rescues the packs`,
    );
    const again = await run(['check', ...at(root, lb), '--read-data', '--json']);
    expect(again.code, again.stdout).toBe(0);
    expect(problems(again)).toEqual([]);
    await expectRestores(lb, 'alice/test@v2', v2Tree);
  });

  it('a damaged manifest: check names the file and says its version is lost; log and restore of v1 still work', async () => {
    const lb = await copyLogbook();
    await flipBytes(join(lb, v2Manifest), 20);

    const human = await run(['check', ...at(root, lb)]);
    expect(human.code, human.stdout).toBe(1);
    expect(human.stdout).toContain(
      `error: ${v2Manifest}: Version manifest is unreadable, so its version is lost`,
    );
    expect(human.stdout).toContain(`version ${nameOf(v2Manifest).slice(0, 8)} is damaged`);

    const log = await run(['log', 'alice/test', ...at(root, lb), '--json']);
    expect(log.code).toBe(3);
    expect(log.events.filter((e) => e.type === 'version').map((e) => e.seq)).toEqual([1]);
    expect(String(log.events.find((e) => e.type === 'warning')?.message)).toContain(
      `Skipped damaged version ${nameOf(v2Manifest).slice(0, 8)}`,
    );
    await expectRestores(lb, 'alice/test@v1', v1Tree, 3);
    expect(await readdir(join(lb, 'locks'))).toEqual([]);
  });
});
