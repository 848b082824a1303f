/**
 * The server's ContentScan (logbook/server/content-scan.ts) from the sanitizers: the content scanners that
 * judge a file by its bytes, wherever it is (compressed-files, content-signatures, text-secrets), re-run as a
 * dry run over every file of the version. A version made by `vml-agent publish --public` with the default
 * sanitizers passes: those scanners ran last on the same bytes and left nothing for a second run to find.
 */
import type { ContentScan, ScanFinding } from '../../logbook/server/content-scan.js';
import { compressedFiles } from '../../sanitizers/compressed-files.js';
import { contentSignatures } from '../../sanitizers/content-signatures.js';
import { runOnTree } from '../../sanitizers/pipeline.js';
import type { Finding } from '../../sanitizers/sanitizer.js';
import { textSecrets } from '../../sanitizers/text-secrets.js';
import { VersionTree } from './version-tree.js';

/** In the order the publish pipeline runs them. */
const SCANNERS = [compressedFiles, contentSignatures, textSecrets];

/** The sanitizers' content scanners over a version read from the logbook. */
export const sanitizerScan: ContentScan = {
  async scanVersion(logbook, manifest, options): Promise<ScanFinding[]> {
    const tree = await VersionTree.open(logbook, manifest.tree);
    const findings: Finding[] = [];
    await runOnTree(tree, SCANNERS, {
      users: [],
      dryRun: true,
      mode: 'publish',
      findings,
      signal: options?.signal,
    });
    return findings;
  },
};
