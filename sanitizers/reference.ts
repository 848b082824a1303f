/**
 * The sanitizer reference (docs/sanitizers.md), generated from the registry's metadata so it cannot drift
 * from the code: a test fails when the committed file differs from what this produces.
 */
import { SANITIZERS } from './registry.js';
import type { Sample } from './sanitizer.js';

function sampleLine(s: Sample): string {
  return `\`${s.path}\``;
}

/** The whole Markdown reference. */
export function sanitizerReferenceText(): string {
  const out: string[] = [
    '# Sanitizers',
    '',
    '<!-- Generated from sanitizers/registry.ts by `npm run build && node dist/sanitizers/write-reference.js`; do not edit. -->',
    '',
    'A public version is made from a staged copy of a private one by running these sanitizers in order. Each',
    'one looks only at files its globs match (`~/` is the home of every user of the root: every account in its',
    'own /etc/passwd, plus every directory under /home and /root). Each action becomes a finding — sanitizer,',
    'type, path, action (`delete`, `strip-line`, `redact`, `record`), a restore hint — and never the value.',
    'Fail closed: a file that cannot be read is removed, with the reason among the findings.',
    '',
    'Select with `--sanitizers`: `defaults` (those marked yes below), `all`, a name to add one, `-name` to',
    'leave one out, applied left to right, e.g. `--sanitizers defaults,-shell-history`.',
    '',
    'Private backups run the sanitizers marked *credentials* in an inventory mode (`findCredentials`): path',
    'rules for every file, content signatures only for files of at most 256 KiB that are not obviously data',
    '(by extension: ROOT, HDF5, images, archives, compiled code…) or installed software (/usr, /lib, /cvmfs…).',
    "Session credentials are only recorded; long-lived ones may be sealed into the owner's vault.",
    '',
    '| order | name | default | credentials | what it does |',
    '|---:|---|:-:|:-:|---|',
  ];
  for (const s of SANITIZERS) {
    out.push(
      `| ${s.order ?? 500} | [${s.name}](#${s.name}) | ${s.enabledByDefault ? 'yes' : 'no'} | ${s.credentials ? 'yes' : ''} | ${s.heading} |`,
    );
  }
  for (const s of SANITIZERS) {
    out.push('', `## ${s.name}`, '', `${s.heading}.`, '');
    out.push(`Paths: ${s.paths.map((p) => `\`${p}\``).join(', ')}`, '');
    out.push(`Removes or redacts (tested): ${s.examples.dirty.map(sampleLine).join(', ')}`, '');
    out.push(`Keeps (tested): ${s.examples.clean.map(sampleLine).join(', ')}`);
    if (s.notes) out.push('', `Known limits: ${s.notes}`);
  }
  return `${out.join('\n')}\n`;
}
