import { describe, expect, it } from 'vitest';
import { DROPPED_VALUE, sanitizeFacts } from '../../../../agent/publish/facts.js';
import type { RecordedStep } from '../../../../agent/steps/facts.js';
import { fakePem } from '../../../../sanitizers/samples.js';

const KEY = fakePem('PRIVATE KEY', 'FACTS');

const steps: Record<string, RecordedStep> = {
  home: { kind: 'files', facts: { with: { include: ['{home}/**'] } } },
  environment: {
    kind: 'environment',
    facts: {
      variables: [
        { name: 'AtlasVersion', value: '25.2.30' },
        { name: 'GRID_KEY', value: KEY },
      ],
    },
  },
  credentials: {
    kind: 'credentials',
    facts: {
      recipient: 'age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq',
      credentials: [
        {
          path: 'home/alice/.globus/userkey.pem',
          type: 'grid-user-key',
          credential: 'long-lived',
          sealed: true,
        },
        {
          path: 'tmp/x509up_u1000',
          type: 'voms-proxy',
          credential: 'session',
          hint: 'voms-proxy-init',
          sealed: false,
        },
      ],
    },
  },
};

describe('sanitizeFacts', () => {
  it('replaces a value the sanitizers flag and keeps every other value and the shape', async () => {
    const { steps: out, findings } = await sanitizeFacts(steps, {});
    const vars = (out.environment?.facts as { variables: { name: string; value: string }[] }).variables;
    expect(vars).toEqual([
      { name: 'AtlasVersion', value: '25.2.30' },
      { name: 'GRID_KEY', value: DROPPED_VALUE },
    ]);
    expect(out.home).toEqual(steps.home);
    expect(JSON.stringify(out)).not.toContain('VML-FAKE');
    expect(findings).toContainEqual(
      expect.objectContaining({ path: 'steps.environment.facts.variables[1].value', action: 'redact' }),
    );
    expect(JSON.stringify(findings)).not.toContain('BEGIN');
  });

  it('keeps the credentials list without the vault, and lists each credential as a record finding', async () => {
    const { steps: out, findings } = await sanitizeFacts(steps, {});
    const facts = out.credentials?.facts as { recipient?: string; credentials: { sealed: boolean }[] };
    expect(facts.recipient).toBeUndefined();
    expect(facts.credentials.map((c) => c.sealed)).toEqual([false, false]);
    expect(
      findings.filter((f) => f.action === 'record').map((f) => [f.path, f.credential, f.restoreHint]),
    ).toEqual([
      ['home/alice/.globus/userkey.pem', 'long-lived', undefined],
      ['tmp/x509up_u1000', 'session', 'voms-proxy-init'],
    ]);
  });
});
