import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isVmlError } from '../../../core/errors.js';
import { sanitizerReferenceText } from '../../../sanitizers/reference.js';
import { bake, SANITIZERS, sanitizerListing, selectSanitizers } from '../../../sanitizers/registry.js';
import { defineSanitizer, type Sanitizer } from '../../../sanitizers/sanitizer.js';

const fake = (over: Partial<Sanitizer>): Sanitizer =>
  defineSanitizer({
    name: 'x',
    heading: 'Do x',
    enabledByDefault: true,
    paths: ['**'],
    examples: { dirty: [], clean: [] },
    sanitize: async () => undefined,
    ...over,
  });

describe('bake()', () => {
  test('rejects names that are not kebab-case, duplicates, headings with a period, absolute paths', () => {
    expect(() => bake([fake({ name: 'Bad_Name' })])).toThrow(/kebab-case/);
    expect(() => bake([fake({}), fake({})])).toThrow(/listed twice/);
    expect(() => bake([fake({ heading: 'Ends.' })])).toThrow(/period/);
    expect(() => bake([fake({ paths: ['/etc/shadow'] })])).toThrow(/bad path/);
    expect(() => bake([fake({ name: 'defaults' })])).toThrow(/reserved/);
  });
  test('sorts by order, then name', () => {
    const names = bake([
      fake({ name: 'b' }),
      fake({ name: 'a', order: 600 }),
      fake({ name: 'c', order: 10 }),
    ]).map((s) => s.name);
    expect(names).toEqual(['c', 'b', 'a']);
  });
  test('the registry is sorted and every name is unique', () => {
    expect(new Set(SANITIZERS.map((s) => s.name)).size).toBe(SANITIZERS.length);
    expect(SANITIZERS.at(-1)?.name).toBe('text-secrets');
  });
});

describe('selectSanitizers()', () => {
  test('defaults, minus one, plus one, applied left to right', () => {
    const defaults = selectSanitizers('defaults').map((s) => s.name);
    expect(defaults).toEqual(SANITIZERS.filter((s) => s.enabledByDefault).map((s) => s.name));
    const some = selectSanitizers('defaults,-shell-history').map((s) => s.name);
    expect(some).not.toContain('shell-history');
    expect(some.length).toBe(defaults.length - 1);
    expect(selectSanitizers('-kerberos,kerberos').map((s) => s.name)).toEqual(['kerberos']);
    expect(selectSanitizers('kerberos,netrc').map((s) => s.name)).toEqual(['kerberos', 'netrc']);
  });
  test('unknown names are a usage error naming them and the known ones', () => {
    try {
      selectSanitizers('defaults,-shell-histroy,aws-credentials');
      expect.unreachable();
    } catch (error) {
      expect(isVmlError(error) && error.code).toBe('E_USAGE');
      expect((error as Error).message).toBe('Unknown sanitizers: "shell-histroy", "aws-credentials"');
      expect((error as { hint: string }).hint).toContain('shell-history');
    }
  });
});

test('the listing has one "name * heading" line per sanitizer', () => {
  const lines = sanitizerListing();
  expect(lines.length).toBe(SANITIZERS.length);
  expect(lines.find((l) => l.startsWith('kerberos '))).toMatch(/^kerberos +\* Remove Kerberos ticket caches/);
});

describe('docs/sanitizers.md', () => {
  test('is the reference generated from the registry and lists every sanitizer', async () => {
    const committed = await readFile(join(import.meta.dirname, '../../../docs/sanitizers.md'), 'utf8');
    for (const s of SANITIZERS) expect(committed).toContain(`## ${s.name}\n`);
    // Regenerate with: npm run build && node dist/sanitizers/write-reference.js
    expect(committed).toBe(sanitizerReferenceText());
  });
});
