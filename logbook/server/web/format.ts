/** Small formatters shared by pages. */

/** "2026-11-22 09:20" from an ISO time (UTC, minutes). */
export function shortTime(iso: string | undefined): string {
  return iso === undefined ? '' : iso.slice(0, 16).replace('T', ' ');
}

export { formatBytes } from '../../../core/format.js';
