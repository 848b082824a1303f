/** Runs `fn` over `items` with at most `limit` calls in flight: file reads wait on the disk, not the CPU. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** How many files the content scanners read at once. */
export const READ_CONCURRENCY = 16;
