/**
 * The last pass: a text scan of every file left for secret values (scanner/tokens.ts) — tokens, passwords
 * in URLs, `password = …` assignments — which are replaced in place, the rest of the file kept. Binary
 * files are scanned for the unmistakable shapes only and overwritten byte for byte, so offsets stay valid.
 */
import { forEachConcurrently, READ_CONCURRENCY } from './concurrency.js';
import { defineSanitizer, type SanitizeContext } from './sanitizer.js';
import { IN_MEMORY_MAX_BYTES, isInstalledSoftware } from './scanner/limits.js';
import { windows } from './scanner/stream.js';
import { findTokens, redactHits, textKind } from './scanner/tokens.js';

async function scan(ctx: SanitizeContext, path: string): Promise<void> {
  const { tree, report } = ctx;
  const size = await tree.size(path);
  if (size === undefined || size === 0) return;
  if (size > IN_MEMORY_MAX_BYTES) {
    for await (const text of windows(tree, path)) {
      const hits = findTokens(text, 'binary');
      if (hits.length === 0) continue;
      await tree.remove(path);
      report.removed(path, {
        type: hits[0]?.kind ?? 'token',
        reason: 'large file holding a token: removed whole',
      });
      return;
    }
    return;
  }
  const bytes = await tree.read(path);
  if (bytes === undefined) return;
  const binary = bytes.subarray(0, 8192).includes(0);
  const text = bytes.toString('latin1');
  const hits = findTokens(text, isInstalledSoftware(path) ? 'software' : binary ? 'binary' : textKind(path));
  if (hits.length === 0) return;
  await tree.write(path, Buffer.from(redactHits(text, hits, binary), 'latin1'));
  // One finding per kind of secret, with how many values of that kind were replaced.
  const counts = new Map<string, number>();
  for (const h of hits) counts.set(h.kind, (counts.get(h.kind) ?? 0) + 1);
  for (const [type, count] of counts) report.redacted(path, { type, count });
}

export const textSecrets = defineSanitizer({
  name: 'text-secrets',
  heading: 'Redact tokens, passwords in URLs and password assignments in every remaining file',
  enabledByDefault: true,
  order: 950,
  paths: ['**'],
  notes:
    'Values are judged by file kind: configuration (any non-placeholder value), code (string literals), ' +
    'prose such as README.md (only random-looking values). Compressed files are not opened.',
  examples: {
    dirty: [
      {
        path: 'home/alice/analysis/.git/config',
        content: '[remote "origin"]\n\turl = https://alice:Vml-Fake-Git-Pw-7@gitlab.cern.ch/alice/ana.git\n',
        secrets: ['Vml-Fake-Git-Pw-7'],
      },
      {
        path: 'home/alice/analysis/db.cfg',
        content: '[db]\nhost = dbod.cern.ch\npassword = VmlFakeDbPass9\n',
        secrets: ['VmlFakeDbPass9'],
      },
      {
        path: 'home/alice/notes/session.txt',
        content:
          'curl -H "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2bWwtZmFrZSJ9.Vk1MRkFLRVNJR05BVFVSRQ"\n',
        secrets: ['eyJzdWIiOiJ2bWwtZmFrZSJ9'],
      },
      {
        path: 'home/alice/scripts/upload.py',
        content:
          's3 = boto3.client("s3", aws_access_key_id="AKIAVMLFAKEKEY123456", aws_secret_access_key="vMlFaKe/SeCrEt+KeY0123456789abcdefGHIJKL")\n',
        secrets: ['AKIAVMLFAKEKEY123456', 'vMlFaKe/SeCrEt+KeY0123456789abcdefGHIJKL'],
      },
    ],
    clean: [
      {
        path: 'home/alice/analysis/README.md',
        content:
          '# Setup\nAsk for the database password: it is in the team vault. Set password= in db.cfg, e.g.\n' +
          '`password = <password>`; never commit it. The token: see the wiki.\n',
      },
      {
        path: 'home/alice/analysis/run.py',
        content:
          'password = os.environ["DB_PASSWORD"]\ntokenizer = "bert-base"\nconnect(password=password)\n',
      },
      {
        path: 'home/alice/analysis/db.cfg.example',
        content: 'password = changeme\nuser = $USER\nhome = %(here)s\n',
      },
      {
        path: 'usr/share/doc/python3-sqlalchemy/README.rst',
        content: 'engine = create_engine("postgresql://scott:tiger@localhost/test")\n',
      },
      {
        path: 'home/alice/analysis/links.md',
        content: 'See https://twiki.cern.ch/twiki/bin/view/AtlasComputing\n',
      },
    ],
  },
  async sanitize(ctx) {
    await forEachConcurrently(ctx.files, READ_CONCURRENCY, async (path) => {
      if (!ctx.signal.aborted && ctx.tree.exists(path)) await scan(ctx, path);
    });
  },
});
