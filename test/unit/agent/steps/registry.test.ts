import { describe, expect, it } from 'vitest';
import { STEP_KINDS, stepKind } from '../../../../agent/steps/registry.js';

describe('STEP_KINDS', () => {
  it('lists the files step', () => {
    expect(stepKind('files')?.heading).toMatch(/\S/);
    expect(stepKind('no-such-kind')).toBeUndefined();
  });

  for (const step of STEP_KINDS) {
    describe(step.kind, () => {
      it('has at least one example', () => {
        expect(step.examples.length).toBeGreaterThan(0);
      });

      it.each(step.examples.map((example, index) => [index, example] as const))(
        'example %i validates',
        (_, example) => {
          const result = step.schema.safeParse(example);
          expect(result.error?.issues ?? []).toEqual([]);
        },
      );

      it('rejects an unknown key in with', () => {
        expect(step.schema.safeParse({ ...(step.examples[0] as object), notAnOption: true }).success).toBe(
          false,
        );
      });
    });
  }
});
