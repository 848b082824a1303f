/** Marker search through files too large to hold in memory, in overlapping windows. */
import type { BackupTree } from '../sanitizer.js';

const WINDOW = 4 * 1024 * 1024;

/** True if any of `markers` (ASCII) occurs in the file. Reads it window by window through `tree.head`-like slices. */
export async function streamHasMarker(
  tree: BackupTree,
  path: string,
  markers: readonly string[],
): Promise<boolean> {
  for await (const text of windows(tree, path)) if (markers.some((m) => text.includes(m))) return true;
  return false;
}

/** The file as latin1 text windows that overlap by 64 KiB, so a match across a boundary is seen. */
export async function* windows(tree: BackupTree, path: string): AsyncGenerator<string> {
  const size = await tree.size(path);
  if (size === undefined) return;
  const overlap = 64 * 1024;
  for (let offset = 0; offset < size; offset += WINDOW - overlap) {
    const chunk = await tree.slice(path, offset, WINDOW);
    if (chunk === undefined) return;
    yield chunk.toString('latin1');
    if (offset + WINDOW >= size) return;
  }
}
