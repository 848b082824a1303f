/**
 * The server's content scan of a public version (docs/server.md, "Public versions"): before it accepts a
 * public version it re-runs detectors over every file, and refuses the version when they find anything. The
 * detectors are the sanitizers' and logbook/ must not import sanitizers/ (DESIGN.md §4): host/server/scan.ts
 * implements this with them, and `vml logbook serve` passes it to buildApp(). It is required there: a public
 * version is never accepted unscanned.
 */
import type { Manifest } from '../format/manifest.js';
import type { Logbook } from '../logbook.js';

/** Something a scan found: where and what kind, never the value. */
export interface ScanFinding {
  /** Root-relative path of the file. */
  readonly path: string;
  /** What was found, e.g. 'ssh-private-key', 'voms-proxy'. */
  readonly type: string;
}

export interface ContentScan {
  /**
   * Scans every regular file of the version `manifest` of `logbook` and returns what it finds (empty when
   * the version is clean). Reads only; writes nothing anywhere. A chunk that is missing or damaged throws
   * (E_CORRUPT) rather than being skipped, so a version is never passed on bytes the scan did not see.
   */
  scanVersion(
    logbook: Logbook,
    manifest: Manifest,
    options?: { readonly signal?: AbortSignal | undefined },
  ): Promise<readonly ScanFinding[]>;
}
