/**
 * The content scanner for credential formats: every file the known-location sanitizers left is looked at
 * for key, proxy, ticket, keytab, keyring and key-store signatures (scanner/signatures.ts), wherever it is
 * and whatever its name. A file that is only key material is removed; keys embedded in a larger text (a
 * notebook, a JSON service account) are cut out and the rest kept.
 */

import { forEachConcurrently, READ_CONCURRENCY } from './concurrency.js';
import { fakeCcache, fakePem } from './samples.js';
import { defineSanitizer, type SanitizeContext } from './sanitizer.js';
import { IN_MEMORY_MAX_BYTES, INVENTORY_MAX_BYTES, isObviouslyData } from './scanner/limits.js';
import { type Detection, detectBinary, detectText, HEAD_BYTES } from './scanner/signatures.js';
import { streamHasMarker } from './scanner/stream.js';

const REDACTED_KEY = '[private key removed by VML]';

async function inspect(ctx: SanitizeContext, path: string): Promise<void> {
  const { tree, report, mode } = ctx;
  let bytes: Buffer | undefined;
  if (mode === 'inventory') {
    // One read, no stat: a file longer than the limit is skipped, whatever it holds.
    if (isObviouslyData(path)) return;
    bytes = await tree.head(path, INVENTORY_MAX_BYTES + 1);
    if (bytes === undefined || bytes.length > INVENTORY_MAX_BYTES) return;
  } else {
    const size = await tree.size(path);
    if (size === undefined) return;
    if (size > IN_MEMORY_MAX_BYTES) return inspectLarge(ctx, path, size);
    bytes = await tree.read(path);
  }
  if (bytes === undefined || bytes.length === 0) return;
  const head = bytes.length <= 64 * 1024 ? bytes : bytes.subarray(0, HEAD_BYTES);
  const found = detectBinary(head, bytes.length) ?? detectText(bytes.toString('latin1'));
  if (found === undefined || (mode === 'inventory' && found.credential === undefined)) return;
  // Cutting blocks out of a binary file (a tar, a database) would shift offsets: the whole file goes.
  if (found.blocks === undefined || bytes.subarray(0, 8192).includes(0)) {
    await tree.remove(path);
    report.removed(path, details(found));
    return;
  }
  let text = bytes.toString('latin1');
  for (const [start, end] of [...found.blocks].reverse())
    text = text.slice(0, start) + REDACTED_KEY + text.slice(end);
  await tree.write(path, Buffer.from(text, 'latin1'));
  report.redacted(path, { ...details(found), count: found.blocks.length });
}

/** Files too large to hold: binary signatures from the head, key markers by streaming; a hit removes the file. */
async function inspectLarge(ctx: SanitizeContext, path: string, size: number): Promise<void> {
  const head = await ctx.tree.head(path, HEAD_BYTES);
  if (head === undefined) return;
  const found: Detection | undefined =
    detectBinary(head, size) ??
    ((await streamHasMarker(ctx.tree, path, ['PRIVATE KEY-----']))
      ? { type: 'private-key', credential: 'long-lived' }
      : undefined);
  if (found === undefined) return;
  await ctx.tree.remove(path);
  ctx.report.removed(path, { ...details(found), reason: 'large file holding key material: removed whole' });
}

function details(found: Detection) {
  return {
    type: found.type,
    ...(found.credential ? { credential: found.credential } : {}),
    ...(found.restoreHint ? { restoreHint: found.restoreHint } : {}),
  };
}

export const contentSignatures = defineSanitizer({
  name: 'content-signatures',
  heading: 'Find private keys, proxies, tickets, keytabs and key stores anywhere by their content',
  enabledByDefault: true,
  order: 900,
  credentials: true,
  paths: ['**'],
  notes:
    'Compressed or encrypted containers (zip, tar.gz, ROOT files) are not opened. Files over 16 MiB are ' +
    'streamed for key markers and removed whole on a hit.',
  examples: {
    dirty: [
      { path: 'home/alice/analysis/old/mykey.txt', content: fakePem('ENCRYPTED PRIVATE KEY', 'pkcs8') },
      {
        path: 'home/alice/Downloads/cred.pem',
        content: `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0011\n\n${Buffer.from('VML-FAKE-legacy-encrypted-key').toString('base64')}\n-----END RSA PRIVATE KEY-----\n`,
        secrets: [
          'VML-FAKE-legacy-encrypted-key',
          Buffer.from('VML-FAKE-legacy-encrypted-key').toString('base64'),
        ],
      },
      {
        path: 'home/alice/backup/krb5cc_old',
        content: fakeCcache('alice', 'CERN.CH', 'stray'),
        secrets: ['VML-FAKE-TICKET-stray'],
      },
      {
        path: 'home/alice/gcp/service-account.json',
        content: `{"type": "service_account", "private_key": "${fakePem('PRIVATE KEY', 'gcp').replace(/\n/g, '\\n')}", "client_email": "a@b.iam"}\n`,
        secrets: [Buffer.from('VML-FAKE-gcp-'.repeat(4)).toString('base64').slice(0, 40)],
      },
      {
        path: 'home/alice/keys/putty.ppk',
        content: 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nVMLFAKEPUTTY\n',
      },
    ],
    clean: [
      {
        path: 'etc/pki/tls/certs/ca-bundle.crt',
        content: fakePem('CERTIFICATE', 'ca-1') + fakePem('CERTIFICATE', 'ca-2'),
      },
      { path: 'home/alice/README.md', content: 'Keep your PRIVATE KEY safe: never commit userkey.pem.\n' },
    ],
  },
  async sanitize(ctx) {
    await forEachConcurrently(ctx.files, READ_CONCURRENCY, async (path) => {
      if (!ctx.signal.aborted && ctx.tree.exists(path)) await inspect(ctx, path);
    });
  },
});
