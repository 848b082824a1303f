/**
 * agentInsight, the server's VersionInsight from the agent's step kinds: the release labels and package
 * names the pages list, the describe() lines and fact diffs of `vml-agent show|diff`, and what it does with
 * facts it cannot read or a step kind it does not know (a manifest from a newer agent).
 */
import { describe, expect, it } from 'vitest';
import { agentInsight } from '../../../../host/server/insight.js';
import type { Manifest } from '../../../../logbook/format/manifest.js';

const ROOT = { name: 'root', epoch: 0, version: '6.30.06', release: '1.el9', arch: 'x86_64' };
const AREA = {
  path: '{home}/analysis',
  project: 'Athena',
  release: '24.0.30',
  platform: 'x86_64-el9-gcc13-opt',
  asetup: 'Athena,24.0.30',
  variables: {},
  file: {},
};

function manifestWith(steps: Manifest['steps']): Manifest {
  return { entry: 'alice/t', seq: 1, steps } as unknown as Manifest;
}

function packagesStep(packages: unknown[]) {
  const facts = { format: 'rpm', baseline: 'none', installed: packages.length, leftOut: 0, packages };
  return { kind: 'packages', facts };
}

describe('agentInsight', () => {
  it('lists each ATLAS release once and every well-formed package, of every step', () => {
    const m = manifestWith({
      rel: { kind: 'atlas-release', facts: { areas: [AREA, { ...AREA, path: '{home}/other' }] } },
      pkgs: packagesStep([ROOT, { name: 'half-a-record' }]),
      more: packagesStep([{ ...ROOT, name: 'vml-lib', arch: 'noarch' }]),
    });
    expect(agentInsight.releases(m)).toEqual(['Athena 24.0.30 (x86_64-el9-gcc13-opt)']);
    expect(agentInsight.packages(m)).toEqual(['root-6.30.06-1.el9.x86_64', 'vml-lib-6.30.06-1.el9.noarch']);
  });

  it('describes known fact steps, marks unreadable facts, and leaves out kinds it does not know', () => {
    const m = manifestWith({
      rel: { kind: 'atlas-release', facts: { areas: [AREA] } },
      broken: { kind: 'packages', facts: null },
      future: { kind: 'quantum-state', facts: {} },
    });
    const described = agentInsight.describeFacts(m);
    expect(Object.keys(described)).toEqual(['rel', 'broken']);
    expect(described.rel).toEqual(['{home}/analysis: Athena 24.0.30 (x86_64-el9-gcc13-opt)']);
    expect(described.broken?.[0]).toMatch(/facts unreadable/);
    expect(agentInsight.stepHeading('packages')).toMatch(/packages/);
    expect(agentInsight.stepHeading('quantum-state')).toBeUndefined();
  });

  it('diffs the facts of two versions step by step', () => {
    const before = manifestWith({ pkgs: packagesStep([ROOT]) });
    const after = manifestWith({ pkgs: packagesStep([{ ...ROOT, version: '6.30.08' }]) });
    expect(agentInsight.diffFacts(before, after)).toEqual([
      {
        step: 'pkgs',
        change: {
          change: 'modified',
          subject: 'package root.x86_64',
          detail: 'upgraded 6.30.06-1.el9 -> 6.30.08-1.el9',
        },
      },
    ]);
  });
});
