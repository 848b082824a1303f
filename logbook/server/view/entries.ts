/**
 * What the web pages show of a namespace's entries: the list with each entry's latest version, the search,
 * and one entry's history. Plain data, no HTML: the pages (web/pages/) render it, tests can check it.
 */

import type { Reason, Visibility } from '../../format/manifest.js';
import type { Logbook, VersionRef } from '../../logbook.js';
import type { VersionInsight } from '../version-insight.js';

/** Where an entry was read: the signed-in user's own namespace, or the public one. */
export type Source = 'own' | 'public';

/** One row of an entry's history (what `vml-agent log` shows). */
export interface HistoryRow {
  readonly id: string;
  readonly seq: number;
  readonly time: string;
  readonly reason: Reason;
  readonly message: string | undefined;
  readonly visibility: Visibility;
  /** Stored size of the blobs this version added to the logbook. */
  readonly bytesAdded: number;
  readonly files: number;
  /** Total size of the files captured. */
  readonly bytes: number;
  /** ATLAS releases of the work areas, like "Athena 24.0.30 (x86_64-el9-gcc13-opt)". */
  readonly releases: readonly string[];
}

export interface EntrySummary {
  readonly entry: string;
  readonly source: Source;
  readonly versions: number;
  readonly latest: HistoryRow;
}

/** A history row of a version; `insight` reads its releases. */
export function historyRow(ref: VersionRef, insight: VersionInsight): HistoryRow {
  const m = ref.manifest;
  return {
    id: ref.id,
    seq: m.seq,
    time: m.time,
    reason: m.reason,
    message: m.message,
    visibility: m.visibility,
    bytesAdded: m.stats?.bytesAdded ?? 0,
    files: m.stats?.files ?? 0,
    bytes: m.stats?.bytes ?? 0,
    releases: insight.releases(m),
  };
}

/**
 * The entries of one logbook with their latest version, by name. With `query`, only entries whose name,
 * or one of whose versions' release or message, contains it (case-insensitive).
 */
export async function listEntries(
  logbook: Logbook,
  options: { source: Source; query?: string | undefined; insight: VersionInsight },
): Promise<EntrySummary[]> {
  const byEntry = new Map<string, VersionRef[]>();
  for (const ref of await logbook.versions()) {
    const list = byEntry.get(ref.manifest.entry) ?? [];
    list.push(ref);
    byEntry.set(ref.manifest.entry, list);
  }
  const needle = options.query?.trim().toLowerCase() ?? '';
  const out: EntrySummary[] = [];
  for (const [entry, refs] of byEntry) {
    const rows = refs.map((ref) => historyRow(ref, options.insight));
    if (needle !== '' && !rows.some((row) => matches(entry, row, needle))) continue;
    out.push({ entry, source: options.source, versions: rows.length, latest: rows.at(-1) as HistoryRow });
  }
  return out.sort((a, b) => (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0));
}

function matches(entry: string, row: HistoryRow, needle: string): boolean {
  return [entry, row.message ?? '', ...row.releases].some((text) => text.toLowerCase().includes(needle));
}

/** One entry's history, newest first; empty when the logbook has no version of it. */
export async function entryHistory(
  logbook: Logbook,
  options: { readonly entry: string; readonly insight: VersionInsight },
): Promise<HistoryRow[]> {
  return (await logbook.history(options.entry)).map((ref) => historyRow(ref, options.insight)).reverse();
}

/** The version `seq` of `entry`, or undefined. */
export async function findVersion(
  logbook: Logbook,
  entry: string,
  seq: number,
): Promise<VersionRef | undefined> {
  return (await logbook.history(entry)).find((v) => v.manifest.seq === seq);
}
