/**
 * A brake on password guessing: every failed sign-in costs the guesser a pause, and too many failures for
 * one user name or from one address within a window refuse further tries until the window passes. The
 * counts live in the metadata database (table `sign_in_failures`), so every server behind a load balancer
 * sees the same ones: N servers allow 5 guesses per name, not 5 × N.
 */

/** How many failures are tolerated per user name and per client address within WINDOW_MS. */
export const MAX_FAILURES_PER_NAME = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
export const WINDOW_MS = 15 * 60_000;
/** Pause before answering a failed sign-in, on top of the scrypt time (about 0.3 s). */
export const FAILURE_DELAY_MS = 500;

/**
 * Failure counts per key, shared by every server on the database. A count began at `since`; a count that
 * began at or before `after` (ISO-8601 times) is over and counts as none. Metadata implements it.
 */
export interface SignInStore {
  /** The failures of `key` in a count that began after `after`; 0 if none. */
  signInFailures(key: string, after: string): Promise<number>;
  /** Adds one failure to `key`, atomically (servers race), beginning a new count at `now` if the old one is over. */
  addSignInFailure(key: string, now: string, after: string): Promise<void>;
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

  /** Whether a sign-in as `name` from `address` may be tried now. */
  async allows(name: string, address: string): Promise<boolean> {
    const after = this.#windowStart();
    const [byName, byAddress] = await Promise.all([
      this.#store.signInFailures(`name:${name}`, after),
      this.#store.signInFailures(`addr:${address}`, after),
    ]);
    return byName < MAX_FAILURES_PER_NAME && byAddress < MAX_FAILURES_PER_ADDRESS;
  }

  /** Counts a failure for both keys. */
  async failed(name: string, address: string): Promise<void> {
    const now = new Date(this.#now()).toISOString();
    const after = this.#windowStart();
    for (const key of [`name:${name}`, `addr:${address}`])
      await this.#store.addSignInFailure(key, now, after);
  }

  /** A successful sign-in clears the name's count (not the address's: one account must not unlock guessing at others). */
  async succeeded(name: string): Promise<void> {
    await this.#store.clearSignInFailures(`name:${name}`);
  }

  #windowStart(): string {
    return new Date(this.#now() - WINDOW_MS).toISOString();
  }
}
