/**
 * The server's own check of a public version before it accepts it (docs/server.md, "Public versions"): the
 * manifest must carry a sanitization report and no attachments, and the content scan (content-scan.ts, the
 * sanitizers' content scanners wired in by the host) must find nothing in any of its files.
 */

import type { Manifest } from '../../format/manifest.js';
import { ApiFailure } from '../authenticate.js';
import type { ScanFinding } from '../content-scan.js';

/** How many findings a refusal names; the rest are counted. */
const NAMED_FINDINGS = 5;

/** Throws BAD_REQUEST unless `manifest` may be public: a sanitization report and no attachments. */
export function checkPublicManifest(manifest: Manifest, name: string): void {
  const report = manifest.sanitization as Partial<Manifest['sanitization']> | undefined;
  if (typeof report !== 'object' || report === null || !Array.isArray(report.findings)) {
    throw new ApiFailure(
      'BAD_REQUEST',
      `Cannot accept ${name} as public: it carries no sanitization report. Make public versions with ` +
        '"vml-agent publish --public", which sanitizes a private version and records what it removed',
    );
  }
  if (manifest.attachments !== undefined) {
    throw new ApiFailure(
      'BAD_REQUEST',
      `Cannot accept ${name} as public: it has attachments (a credential vault), which a public version never holds`,
    );
  }
}

/** Throws BAD_REQUEST naming paths and kinds (never values) when the scan found anything. */
export function refuseFindings(findings: readonly ScanFinding[], name: string): void {
  if (findings.length === 0) return;
  const named = findings.slice(0, NAMED_FINDINGS).map((f) => `${f.path} (${f.type})`);
  const more = findings.length > NAMED_FINDINGS ? ` and ${findings.length - NAMED_FINDINGS} more` : '';
  throw new ApiFailure(
    'BAD_REQUEST',
    `Cannot accept ${name} as public: the server's content scan found what the sanitizers remove in ` +
      `${named.join(', ')}${more}. Publish again with the default sanitizers ("vml-agent publish --public")`,
  );
}
