/**
 * The server's own check of a public version before it accepts it (docs/server.md, "Public versions"): the
 * manifest must carry a sanitization report and no attachments, and the content scanners of the sanitizers
 * (compressed-files, content-signatures, text-secrets: the ones that judge a file by its bytes, wherever it
 * is) must find nothing in any of its files. A version made by `vml-agent publish --public` with the default
 * sanitizers passes: those scanners ran last on the same bytes and left nothing for a second run to find.
 */

import { compressedFiles } from '../../../sanitizers/compressed-files.js';
import { contentSignatures } from '../../../sanitizers/content-signatures.js';
import { runOnTree } from '../../../sanitizers/pipeline.js';
import type { Finding } from '../../../sanitizers/sanitizer.js';
import { textSecrets } from '../../../sanitizers/text-secrets.js';
import type { Manifest } from '../../format/manifest.js';
import type { Logbook } from '../../logbook.js';
import { ApiFailure } from '../authenticate.js';
import { VersionTree } from './version-tree.js';

/** In the order the publish pipeline runs them. */
const SCANNERS = [compressedFiles, contentSignatures, textSecrets];

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

/** Re-runs the content scanners over every file of the version; what they find, never a value. */
export async function scanVersion(
  logbook: Logbook,
  manifest: Manifest,
  signal?: AbortSignal,
): Promise<Finding[]> {
  const tree = await VersionTree.open(logbook, manifest.tree);
  const findings: Finding[] = [];
  await runOnTree(tree, SCANNERS, { users: [], dryRun: true, mode: 'publish', findings, signal });
  return findings;
}

/** Throws BAD_REQUEST naming paths and kinds (never values) when the scan found anything. */
export function refuseFindings(findings: readonly Finding[], name: string): void {
  if (findings.length === 0) return;
  const named = findings.slice(0, NAMED_FINDINGS).map((f) => `${f.path} (${f.type})`);
  const more = findings.length > NAMED_FINDINGS ? ` and ${findings.length - NAMED_FINDINGS} more` : '';
  throw new ApiFailure(
    'BAD_REQUEST',
    `Cannot accept ${name} as public: the server's content scan found what the sanitizers remove in ` +
      `${named.join(', ')}${more}. Publish again with the default sanitizers ("vml-agent publish --public")`,
  );
}
