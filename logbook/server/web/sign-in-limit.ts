/**
 * A brake on password guessing: every failed sign-in costs the guesser a pause, and too many failures for
 * one user name or from one address within a window refuse further tries until the window passes. Kept in
 * memory: each server behind a load balancer brakes on its own, which still bounds guesses per server.
 */

/** How many failures are tolerated per user name and per client address within WINDOW_MS. */
export const MAX_FAILURES_PER_NAME = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
export const WINDOW_MS = 15 * 60_000;
/** Pause before answering a failed sign-in, on top of the scrypt time (about 0.3 s). */
export const FAILURE_DELAY_MS = 500;

interface Count {
  failures: number;
  since: number;
}

export class SignInLimit {
  readonly #counts = new Map<string, Count>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether a sign-in as `name` from `address` may be tried now. */
  allows(name: string, address: string): boolean {
    return (
      this.#failures(`name:${name}`) < MAX_FAILURES_PER_NAME &&
      this.#failures(`addr:${address}`) < MAX_FAILURES_PER_ADDRESS
    );
  }

  /** Counts a failure for both keys. */
  failed(name: string, address: string): void {
    for (const key of [`name:${name}`, `addr:${address}`]) {
      const count = this.#current(key) ?? { failures: 0, since: this.#now() };
      count.failures += 1;
      this.#counts.set(key, count);
    }
  }

  /** A successful sign-in clears the name's count (not the address's: one account must not unlock guessing at others). */
  succeeded(name: string): void {
    this.#counts.delete(`name:${name}`);
  }

  #failures(key: string): number {
    return this.#current(key)?.failures ?? 0;
  }

  #current(key: string): Count | undefined {
    const count = this.#counts.get(key);
    if (count && this.#now() - count.since > WINDOW_MS) {
      this.#counts.delete(key);
      return undefined;
    }
    return count;
  }
}
