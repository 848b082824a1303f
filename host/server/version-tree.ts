/**
 * One version's files, read from a logbook, as the sanitizers' BackupTree: what lets the server re-run the
 * content scanners on a public version without writing it anywhere. Writes and removals are remembered only
 * (the scan is a dry run), so a later scanner sees what an earlier one would have left.
 */

import type { TreeNode } from '../../logbook/format/tree.js';
import type { Logbook } from '../../logbook/logbook.js';
import type { BackupTree } from '../../sanitizers/sanitizer.js';

export class VersionTree implements BackupTree {
  readonly #logbook: Logbook;
  readonly #nodes: Map<string, TreeNode>;
  readonly #written = new Map<string, Buffer>();
  readonly #removed = new Set<string>();
  readonly #sorted: string[];

  private constructor(logbook: Logbook, nodes: Map<string, TreeNode>) {
    this.#logbook = logbook;
    this.#nodes = nodes;
    this.#sorted = [...nodes.keys()].sort();
  }

  /** Reads every tree of the version (`treeId`, the manifest's `tree`) and lists its regular files. */
  static async open(logbook: Logbook, treeId: string): Promise<VersionTree> {
    const nodes = new Map<string, TreeNode>();
    const visit = async (id: string, prefix: string): Promise<void> => {
      for (const node of (await logbook.readTree(id)).nodes) {
        const path = prefix === '' ? node.name : `${prefix}/${node.name}`;
        if (node.type === 'file') nodes.set(path, node);
        else if (node.type === 'dir' && node.subtree !== undefined) await visit(node.subtree, path);
      }
    };
    await visit(treeId, '');
    return new VersionTree(logbook, nodes);
  }

  files(): readonly string[] {
    return this.#sorted.filter((p) => !this.#removed.has(p));
  }

  exists(path: string): boolean {
    return this.#nodes.has(path) && !this.#removed.has(path);
  }

  async size(path: string): Promise<number | undefined> {
    if (!this.exists(path)) return undefined;
    return this.#written.get(path)?.length ?? this.#nodes.get(path)?.size ?? 0;
  }

  async read(path: string): Promise<Buffer | undefined> {
    return this.slice(path, 0, Number.MAX_SAFE_INTEGER);
  }

  async head(path: string, length: number): Promise<Buffer | undefined> {
    return this.slice(path, 0, length);
  }

  /** Reads only the chunks that overlap the range: large files are scanned window by window. */
  async slice(path: string, offset: number, length: number): Promise<Buffer | undefined> {
    if (!this.exists(path)) return undefined;
    const written = this.#written.get(path);
    if (written) return written.subarray(offset, offset + length);
    const node = this.#nodes.get(path);
    const index = await this.#logbook.index();
    const pieces: Buffer[] = [];
    let first: number | undefined; // where the first chunk read starts in the file
    let at = 0;
    for (const id of node?.content ?? []) {
      if (at >= offset + length) break;
      // A chunk the index lacks: readBlob throws E_CORRUPT rather than the scan skipping its bytes.
      const size = index.lookup(id)?.rawLength ?? (await this.#logbook.readBlob(id)).length;
      if (at + size > offset) {
        first ??= at;
        const plain = await this.#logbook.readBlob(id);
        pieces.push(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength));
      }
      at += size;
    }
    const start = offset - (first ?? offset);
    return Buffer.concat(pieces).subarray(start, start + length);
  }

  async write(path: string, content: string | Uint8Array): Promise<void> {
    if (this.exists(path)) this.#written.set(path, Buffer.from(content));
  }

  async remove(path: string): Promise<void> {
    this.#removed.add(path);
    this.#written.delete(path);
  }
}
