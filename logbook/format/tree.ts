/**
 * Trees: one directory's listing, stored as a `tree` blob (JSON, nodes sorted by name). A tree holds
 * everything a restore needs to bring a file back exactly; see FORMAT.md §Trees.
 */
import { createHash } from 'node:crypto';
import { VmlError } from '../../core/errors.js';

export type NodeType = 'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev' | 'socket';

export interface TreeNode {
  /** One path component: never "", ".", ".." and never containing "/" or NUL. */
  readonly name: string;
  readonly type: NodeType;
  /** Permission and special bits (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Owner and group names from the root's own passwd/group; restore maps names first, ids second. */
  readonly user?: string | undefined;
  readonly group?: string | undefined;
  /** Nanoseconds since the epoch, as a decimal string (a double cannot hold it exactly). */
  readonly mtime: string;
  /** Change time and inode: only used as the stat cache's key, never restored. */
  readonly ctime?: string | undefined;
  readonly inode?: string | undefined;
  /** Files: size in bytes. */
  readonly size?: number | undefined;
  /** Files: chunk ids (SHA-256 hex) in order; their plain lengths add up to `size`. */
  readonly content?: readonly string[] | undefined;
  /** Files: true when the file had holes; restore leaves all-zero chunks as holes. */
  readonly sparse?: boolean | undefined;
  /** Files with more than one link: the group id shared by all the names of one inode in this version. */
  readonly hardlink?: string | undefined;
  /** Directories: id of the subtree blob. */
  readonly subtree?: string | undefined;
  /** Symlinks: the target, as stored on disk (never resolved). */
  readonly target?: string | undefined;
  /** Devices: major and minor numbers. */
  readonly rdev?: number | undefined;
  /** Extended attributes: name to base64 value. */
  readonly xattrs?: Readonly<Record<string, string>> | undefined;
}

export interface Tree {
  readonly nodes: readonly TreeNode[];
}

/** Checks that a name cannot lead out of its directory (a hostile logbook could carry any string). */
export function isSafeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** Serializes deterministically (sorted by name, fixed key order) so equal trees get equal ids. */
export function encodeTree(tree: Tree): Uint8Array {
  const nodes = [...tree.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i]?.name === nodes[i - 1]?.name) throw new Error(`Duplicate name in tree: "${nodes[i]?.name}"`);
  }
  return new TextEncoder().encode(JSON.stringify({ nodes: nodes.map(canonicalNode) }));
}

function canonicalNode(node: TreeNode): TreeNode {
  // Fixed key order and no undefined keys: the bytes, and so the id, depend only on the values.
  const out: Record<string, unknown> = {};
  for (const key of NODE_KEYS) {
    const value = node[key];
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as TreeNode;
}

const NODE_KEYS = [
  'name',
  'type',
  'mode',
  'uid',
  'gid',
  'user',
  'group',
  'mtime',
  'ctime',
  'inode',
  'size',
  'content',
  'sparse',
  'hardlink',
  'subtree',
  'target',
  'rdev',
  'xattrs',
] as const satisfies readonly (keyof TreeNode)[];

const NODE_TYPES = new Set<string>(['file', 'dir', 'symlink', 'fifo', 'chardev', 'blockdev', 'socket']);

/** Parses and validates a tree blob; a hostile or damaged tree is E_CORRUPT, never a crash. */
export function decodeTree(bytes: Uint8Array, id: string): Tree {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw corrupt(id, 'not JSON', cause);
  }
  const nodes = (parsed as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) throw corrupt(id, 'no node list');
  for (const node of nodes as TreeNode[]) {
    if (typeof node !== 'object' || node === null) throw corrupt(id, 'a node is not an object');
    if (typeof node.name !== 'string' || !isSafeName(node.name)) {
      throw new VmlError(
        'E_UNSAFE_PATH',
        `Refusing tree ${id.slice(0, 12)}: unsafe name ${JSON.stringify(node.name)}`,
        {
          hint: 'The logbook holds a hostile or damaged version; run "vml-agent check" and restore another version',
        },
      );
    }
    if (!NODE_TYPES.has(node.type)) throw corrupt(id, `unknown node type ${JSON.stringify(node.type)}`);
    if (typeof node.mode !== 'number' || typeof node.mtime !== 'string')
      throw corrupt(id, `"${node.name}" lacks mode or mtime`);
    if (node.type === 'dir' && typeof node.subtree !== 'string')
      throw corrupt(id, `directory "${node.name}" has no subtree`);
    if (node.type === 'file' && !Array.isArray(node.content))
      throw corrupt(id, `file "${node.name}" has no content list`);
    if (node.type === 'symlink' && typeof node.target !== 'string')
      throw corrupt(id, `symlink "${node.name}" has no target`);
  }
  return { nodes: nodes as TreeNode[] };
}

function corrupt(id: string, why: string, cause?: unknown): VmlError {
  return new VmlError('E_CORRUPT', `Tree ${id.slice(0, 12)} is damaged: ${why}`, {
    hint: 'Run "vml-agent check --read-data" to see which versions are affected',
    cause,
  });
}

/** The id of any blob: SHA-256 of its plain bytes, hex. */
export function blobIdOf(plain: Uint8Array): string {
  return createHash('sha256').update(plain).digest('hex');
}
