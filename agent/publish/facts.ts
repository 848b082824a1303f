/**
 * Public versions carry the private version's step facts (packages, release, variables, git remotes), so
 * those are sanitized too: every string value is put through the same sanitizers as the files (as a
 * `key=value` line, so assignment rules see the name), and whatever they flag is replaced by a marker.
 * The credentials step keeps its list (paths, types and hints only) but loses its vault; each of its
 * credentials becomes a `record` finding, so the report names every credential the version saw.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SanitizationFinding } from '../../logbook/format/manifest.js';
import { runSanitizers } from '../../sanitizers/pipeline.js';
import type { CredentialsFacts } from '../steps/credentials.js';
import { credentialsStep } from '../steps/credentials.js';
import type { RecordedStep } from '../steps/facts.js';

/** What replaces a value a sanitizer flagged. */
export const DROPPED_VALUE = '[removed by vml-agent publish]';

interface Leaf {
  readonly path: string;
  readonly key: string;
  readonly value: string;
}

/** The facts with flagged values replaced, and one finding per replaced value. */
export async function sanitizeFacts(
  steps: Readonly<Record<string, RecordedStep>>,
  options: { selection?: string | undefined; signal?: AbortSignal | undefined },
): Promise<{ steps: Record<string, RecordedStep>; findings: SanitizationFinding[] }> {
  const leaves: Leaf[] = [];
  collect(steps, 'steps', '', leaves);
  const flagged = await flag(leaves, options);
  const findings: SanitizationFinding[] = [];
  const replaced = replace(steps, 'steps', (path) => {
    const hit = flagged.get(path);
    if (!hit) return undefined;
    findings.push({ sanitizer: hit.sanitizer, type: hit.type, path, action: 'redact', count: 1 });
    return DROPPED_VALUE;
  }) as Record<string, RecordedStep>;
  for (const [id, step] of Object.entries(replaced)) {
    if (step.kind !== credentialsStep.kind) continue;
    const facts = step.facts as CredentialsFacts;
    replaced[id] = {
      ...step,
      facts: { credentials: (facts.credentials ?? []).map((c) => ({ ...c, sealed: false })) },
    };
    // Kept out of the private version's files already; listed so the report names every credential.
    for (const c of facts.credentials ?? []) {
      findings.push({
        sanitizer: `step:${id}`,
        type: c.type,
        path: c.path,
        action: 'record',
        credential: c.credential,
        restoreHint: c.hint,
      });
    }
  }
  return { steps: replaced, findings };
}

/** Runs the sanitizers over one small file per value; returns the flagged values by JSON path. */
async function flag(
  leaves: readonly Leaf[],
  options: { selection?: string | undefined; signal?: AbortSignal | undefined },
): Promise<Map<string, { sanitizer: string; type: string }>> {
  const out = new Map<string, { sanitizer: string; type: string }>();
  if (leaves.length === 0) return out;
  const dir = await mkdtemp(join(tmpdir(), 'vml-facts-'));
  try {
    await Promise.all(
      leaves.map((leaf, i) => writeFile(join(dir, `value-${i}`), `${leaf.key}=${leaf.value}\n`)),
    );
    const { findings } = await runSanitizers(dir, {
      dryRun: true,
      ...(options.selection ? { selection: options.selection } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const f of findings) {
      const leaf = leaves[Number(f.path.replace(/^value-/, ''))];
      if (leaf && !out.has(leaf.path)) out.set(leaf.path, { sanitizer: f.sanitizer, type: f.type });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

function collect(value: unknown, path: string, key: string, out: Leaf[]): void {
  if (typeof value === 'string') out.push({ path, key, value });
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) collect(v, `${path}[${i}]`, key, out);
  } else if (value !== null && typeof value === 'object') {
    const named = (value as { name?: unknown }).name;
    for (const [k, v] of Object.entries(value)) {
      // {name: "RUCIO_PASSWORD", value: "…"}: the rules should see the variable's name, not "value".
      const label = k === 'value' && typeof named === 'string' ? named : k;
      collect(v, `${path}.${k}`, label, out);
    }
  }
}

function replace(value: unknown, path: string, fn: (path: string) => string | undefined): unknown {
  if (typeof value === 'string') return fn(path) ?? value;
  if (Array.isArray(value)) return value.map((v, i) => replace(v, `${path}[${i}]`, fn));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v, `${path}.${k}`, fn)]));
  }
  return value;
}
