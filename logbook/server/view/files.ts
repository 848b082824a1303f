/**
 * The file browser's data: walk a version's tree to a path, list a directory, stream a file's content.
 * Paths are root-relative, `/`-separated; a name that cannot be in a tree ("..", "") finds nothing rather
 * than being cleaned up, so a hostile URL can only ever name nodes of this version's own tree.
 */
import { Readable } from 'node:stream';
import { isSafeName, type NodeType, type TreeNode } from '../../format/tree.js';
import type { Logbook } from '../../logbook.js';

/** One row of a directory listing. */
export interface FileRow {
  readonly name: string;
  /** Root-relative path of the node. */
  readonly path: string;
  readonly type: NodeType;
  /** `rwxr-xr-x` with s/S, t/T for the special bits. */
  readonly mode: string;
  readonly user: string;
  readonly group: string;
  readonly size: number | undefined;
  /** ISO 8601, to the second. */
  readonly mtime: string;
  readonly target: string | undefined;
}

/** The node at `path` (`""` is the root directory) of the tree `treeId`, or undefined. */
export async function findNode(
  logbook: Logbook,
  treeId: string,
  path: string,
): Promise<TreeNode | undefined> {
  const names = splitPath(path);
  if (names === undefined) return undefined;
  let node: TreeNode = rootNode(treeId);
  for (const name of names) {
    if (node.type !== 'dir' || node.subtree === undefined) return undefined;
    const child = (await logbook.readTree(node.subtree)).nodes.find((n) => n.name === name);
    if (child === undefined) return undefined;
    node = child;
  }
  return node;
}

/** The rows of a directory node, directories first, then by name. */
export async function listDirectory(logbook: Logbook, dir: TreeNode, path: string): Promise<FileRow[]> {
  if (dir.type !== 'dir' || dir.subtree === undefined) return [];
  const prefix = path === '' ? '' : `${path}/`;
  const rows = (await logbook.readTree(dir.subtree)).nodes.map((n) => fileRow(n, `${prefix}${n.name}`));
  return rows.sort(
    (a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || (a.name < b.name ? -1 : 1),
  );
}

/** A row for one node. */
export function fileRow(node: TreeNode, path: string): FileRow {
  return {
    name: node.name,
    path,
    type: node.type,
    mode: modeString(node.mode),
    user: node.user ?? String(node.uid),
    group: node.group ?? String(node.gid),
    size: node.type === 'file' ? node.size : undefined,
    mtime: nsToIso(node.mtime),
    target: node.target,
  };
}

/** A file node's content as a stream, chunk by chunk, each verified as the logbook reads it. */
export function fileStream(logbook: Logbook, node: TreeNode): Readable {
  return Readable.from(logbook.readFile(node), { objectMode: false });
}

/** `a/b/c` → ["a","b","c"]; `""` → []; undefined when a component is not a safe name. */
export function splitPath(path: string): string[] | undefined {
  if (path === '') return [];
  const names = path.split('/');
  return names.every(isSafeName) ? names : undefined;
}

function rootNode(treeId: string): TreeNode {
  return { name: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: '0', subtree: treeId };
}

/** `0o4755` → `rwsr-xr-x`, as ls prints it. */
export function modeString(mode: number): string {
  const bit = (mask: number, char: string) => (mode & mask ? char : '-');
  const exec = (x: number, special: number, on: string, off: string) =>
    mode & special ? (mode & x ? on : off) : bit(x, 'x');
  return [
    bit(0o400, 'r'),
    bit(0o200, 'w'),
    exec(0o100, 0o4000, 's', 'S'),
    bit(0o40, 'r'),
    bit(0o20, 'w'),
    exec(0o10, 0o2000, 's', 'S'),
    bit(0o4, 'r'),
    bit(0o2, 'w'),
    exec(0o1, 0o1000, 't', 'T'),
  ].join('');
}

function nsToIso(ns: string): string {
  const ms = Number(BigInt.asIntN(64, BigInt(/^-?\d+$/.test(ns) ? ns : '0')) / 1_000_000n);
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '' : `${date.toISOString().slice(0, 19)}Z`;
}
