import { describe, expect, it } from 'vitest';
import {
  MAX_FAILURES_PER_ADDRESS,
  MAX_FAILURES_PER_NAME,
  SignInLimit,
  WINDOW_MS,
} from '../../../../../logbook/server/web/sign-in-limit.js';

describe('SignInLimit', () => {
  it('refuses a name after MAX_FAILURES_PER_NAME failures until the window passes', () => {
    let now = 0;
    const limit = new SignInLimit(() => now);
    for (let i = 0; i < MAX_FAILURES_PER_NAME; i++) {
      expect(limit.allows('alice', `10.0.0.${i}`)).toBe(true);
      limit.failed('alice', `10.0.0.${i}`);
    }
    expect(limit.allows('alice', '10.0.0.99')).toBe(false);
    expect(limit.allows('bob', '10.0.0.99')).toBe(true);
    now += WINDOW_MS + 1;
    expect(limit.allows('alice', '10.0.0.99')).toBe(true);
  });

  it('refuses an address after MAX_FAILURES_PER_ADDRESS failures over any names; success clears only the name', () => {
    const limit = new SignInLimit(() => 0);
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) limit.failed(`user${i}`, '10.0.0.1');
    expect(limit.allows('someone', '10.0.0.1')).toBe(false);
    expect(limit.allows('someone', '10.0.0.2')).toBe(true);
    limit.failed('carol', '10.0.0.3');
    limit.succeeded('carol');
    limit.succeeded('user0');
    expect(limit.allows('someone', '10.0.0.1')).toBe(false);
  });
});
