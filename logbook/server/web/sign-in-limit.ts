/**
 * A brake on password guessing: every failed sign-in costs the guesser a pause, and too many failures for
 * one user name or from one address within a window refuse further tries until the window passes. The
 * counts live in the metadata database (table `sign_in_failures`), so every server behind a load balancer
 * sees the same ones: N servers allow 5 guesses per name, not 5 × N. An attempt is counted as a failure
 * before its password is checked, by one atomic statement: guesses sent in parallel cannot all pass a
 * check made before any of them was counted.
 */

/** How many failures are tolerated per user name and per client address within WINDOW_MS. */
export const MAX_FAILURES_PER_NAME = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
export const WINDOW_MS = 15 * 60_000;
/** Pause before answering a failed sign-in, on top of the scrypt time (about 0.3 s). */
export const FAILURE_DELAY_MS = 500;

/**
 * Failure counts per key, shared by every server on the database. A count that began at or before `after`
 * (ISO-8601 times) is over and counts as none. Metadata implements it.
 */
export interface SignInStore {
  /**
   * Adds one failure to `key` and returns the count with it, in one atomic statement (servers race),
   * beginning a new count at `now` if the old one is over.
   */
  countSignInFailure(key: string, now: string, after: string): Promise<number>;
  /** Takes one failure back from `key`'s count (never below zero). */
  forgiveSignInFailure(key: string): Promise<void>;
  /** Forgets the count of `key`. */
  clearSignInFailures(key: string): Promise<void>;
}

export class SignInLimit {
  readonly #store: SignInStore;
  readonly #now: () => number;

  constructor(store: SignInStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /**
   * Counts a sign-in attempt as `name` from `address` as a failure until it succeeds; false if the name or
   * the address is then over its limit (refuse it without checking the password).
   */
  async attempt(name: string, address: string): Promise<boolean> {
    const now = new Date(this.#now()).toISOString();
    const after = new Date(this.#now() - WINDOW_MS).toISOString();
    const byName = await this.#store.countSignInFailure(`name:${name}`, now, after);
    const byAddress = await this.#store.countSignInFailure(`addr:${address}`, now, after);
    return byName <= MAX_FAILURES_PER_NAME && byAddress <= MAX_FAILURES_PER_ADDRESS;
  }

  /**
   * A successful sign-in clears the name's count and takes back its attempt from the address (whose other
   * failures stay: one account must not unlock guessing at others).
   */
  async succeeded(name: string, address: string): Promise<void> {
    await this.#store.clearSignInFailures(`name:${name}`);
    await this.#store.forgiveSignInFailure(`addr:${address}`);
  }
}
