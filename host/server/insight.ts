/**
 * The server's VersionInsight (logbook/server/version-insight.ts) from the agent's own step kinds: the same
 * describe() lines as `vml-agent show`, the same diffFacts as `vml-agent diff`, the same release labels and
 * package names, so the web pages and the agent never disagree about a version.
 */

import { type ReleaseArea, releaseLabel } from '../../agent/steps/atlas-release.js';
import { describeFacts, diffFacts } from '../../agent/steps/facts.js';
import { nevra, type Package } from '../../agent/steps/packages/package.js';
import { stepKind } from '../../agent/steps/registry.js';
import type { Manifest } from '../../logbook/format/manifest.js';
import type { VersionInsight } from '../../logbook/server/version-insight.js';

/** The agent's knowledge of its step kinds, as the server asks for it. */
export const agentInsight: VersionInsight = {
  describeFacts,
  stepHeading: (kind) => stepKind(kind)?.heading,
  diffFacts: (before, after) => diffFacts(before.steps, after.steps),
  releases,
  packages,
};

/** The ATLAS releases the atlas-release steps recorded; nothing for facts it cannot read. */
function releases(manifest: Manifest): string[] {
  const out: string[] = [];
  for (const step of Object.values(manifest.steps ?? {})) {
    if (step.kind !== 'atlas-release') continue;
    const areas = (step.facts as { areas?: unknown } | undefined)?.areas;
    if (!Array.isArray(areas)) continue;
    for (const area of areas as ReleaseArea[]) {
      if (typeof area === 'object' && area !== null) out.push(releaseLabel(area));
    }
  }
  return [...new Set(out)];
}

function packages(manifest: Manifest): string[] {
  const out: string[] = [];
  for (const step of Object.values(manifest.steps ?? {})) {
    if (step.kind !== 'packages') continue;
    const list = (step.facts as { packages?: unknown } | undefined)?.packages;
    for (const p of Array.isArray(list) ? list : []) if (isPackage(p)) out.push(nevra(p));
  }
  return out;
}

function isPackage(value: unknown): value is Package {
  const p = value as Partial<Package> | null;
  return typeof p?.name === 'string' && typeof p.version === 'string' && typeof p.arch === 'string';
}
