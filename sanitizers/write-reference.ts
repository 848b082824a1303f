/** Regenerates docs/sanitizers.md: `npm run build && node dist/sanitizers/write-reference.js`. */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sanitizerReferenceText } from './reference.js';

// dist/sanitizers/ or sanitizers/ → the repository root.
const here = dirname(fileURLToPath(import.meta.url));
const root = here.includes('/dist/') ? join(here, '../..') : join(here, '..');
const target = join(root, 'docs/sanitizers.md');
await writeFile(target, sanitizerReferenceText());
process.stdout.write(`Wrote ${target}\n`);
