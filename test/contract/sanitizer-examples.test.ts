/**
 * Every sanitizer's examples, one test per sample: a dirty sample, planted alone in a root, is found by
 * that sanitizer alone and its secrets leave no trace in any remaining byte; a clean sample survives the
 * whole default pipeline byte for byte, with no finding.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runSanitizers } from '../../sanitizers/pipeline.js';
import { SANITIZERS } from '../../sanitizers/registry.js';
import { SAMPLE_PASSWD } from '../../sanitizers/samples.js';
import type { Sample } from '../../sanitizers/sanitizer.js';
import { readAllBytes } from '../helpers/credentials.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function plant(sample: Sample): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vml-sample-'));
  dirs.push(root);
  const files: Record<string, string | Uint8Array> = { 'etc/passwd': SAMPLE_PASSWD, ...sample.context };
  files[sample.path] = sample.content;
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

for (const sanitizer of SANITIZERS) {
  describe(sanitizer.name, () => {
    test('has at least one dirty and one clean sample', () => {
      expect(sanitizer.examples.dirty.length).toBeGreaterThan(0);
      expect(sanitizer.examples.clean.length).toBeGreaterThan(0);
    });
    for (const sample of sanitizer.examples.dirty) {
      test(`removes dirty ${sample.path}`, async () => {
        const root = await plant(sample);
        const dry = await runSanitizers(root, { selection: sanitizer.name, dryRun: true });
        const { findings } = await runSanitizers(root, { selection: sanitizer.name, dryRun: false });
        expect(findings.map((f) => f.path)).toContain(sample.path);
        expect(findings.every((f) => f.sanitizer === sanitizer.name)).toBe(true);
        expect(dry.findings).toEqual(findings);
        const remaining = await readAllBytes(root);
        const secrets = sample.secrets ?? [sample.content];
        for (const secret of secrets) expect(remaining.includes(Buffer.from(secret))).toBe(false);
        for (const f of findings) {
          for (const secret of secrets)
            expect(JSON.stringify(f)).not.toContain(Buffer.from(secret).toString('latin1'));
        }
      });
    }
    for (const sample of sanitizer.examples.clean) {
      test(`keeps clean ${sample.path}`, async () => {
        const root = await plant(sample);
        const { findings } = await runSanitizers(root, {
          selection: `defaults,${sanitizer.name}`,
          dryRun: false,
        });
        expect(findings).toEqual([]);
        expect(await readFile(join(root, sample.path))).toEqual(Buffer.from(sample.content));
      });
    }
  });
}
